/**
 * Requests over the control channel between Electron main and the engine that expect an
 * answer (main asks what is open before an update installs; the engine asks main's keychain
 * for an account's key): each gets an id, and settles with the answer carrying that id,
 * with an error the other side names, or with a timeout. Pure (the caller sends and passes
 * answers in), so both sides use it and it is tested without Electron.
 */
export class PendingReplies<T> {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: T): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly what: string,
    private readonly timeoutMs: number,
    /** Who answers, for the messages: "the engine" or "Electron main". */
    private readonly peer = 'the engine',
  ) {}

  /** Sends a request through `send(id)` and waits for its answer. */
  ask(send: (id: number) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.peer} did not answer the ${this.what} request within ${this.timeoutMs / 1000} s`));
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

  /** An answer from the other side: a value, or the error it reported. Unknown ids (late answers) are dropped. */
  settle(id: number, answer: { value?: T; error?: string }): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    if (answer.error !== undefined || answer.value === undefined) w.reject(new Error(answer.error ?? `${this.peer} sent an empty ${this.what} answer`));
    else w.resolve(answer.value);
  }

  /** The other side is gone: nothing in flight will be answered. */
  failAll(reason: string): void {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(new Error(reason));
      this.waiting.delete(id);
    }
  }
}
