/**
 * Requests main sends the engine over its control channel that expect an answer (what is
 * open, before an update installs): each gets an id, and settles with the answer carrying
 * that id, with an error the engine names, or with a timeout. Pure (the caller sends and
 * passes answers in), so it is tested without Electron.
 */
export class PendingReplies<T> {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: T): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly what: string,
    private readonly timeoutMs: number,
  ) {}

  /** Sends a request through `send(id)` and waits for its answer. */
  ask(send: (id: number) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the engine did not answer the ${this.what} request within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      timer.unref?.();
      this.waiting.set(id, { resolve, reject, timer });
      try {
        send(id);
      } catch (e) {
        this.settle(id, { error: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  /** An answer from the engine: a value, or the error it reported. Unknown ids (late answers) are dropped. */
  settle(id: number, answer: { value?: T; error?: string }): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    if (answer.error !== undefined || answer.value === undefined) w.reject(new Error(answer.error ?? `the engine sent an empty ${this.what} answer`));
    else w.resolve(answer.value);
  }

  /** The engine is gone: nothing in flight will be answered. */
  failAll(reason: string): void {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(new Error(reason));
      this.waiting.delete(id);
    }
  }
}
