/**
 * Calls `fn` at most once per `ms`: the first call at once, later ones folded into one
 * call when the interval is up, so the last state is always shown.
 */
export function trailingThrottle(fn: () => void, ms: number, now: () => number = () => performance.now()): { call(): void; cancel(): void } {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (): void => {
    timer = undefined;
    last = now();
    fn();
  };
  return {
    call() {
      if (timer !== undefined) return;
      const wait = last + ms - now();
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
