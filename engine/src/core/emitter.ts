/** Undoes a subscription. Calling it twice is harmless. */
export type Disposable = () => void;

/**
 * A small typed event emitter: listeners are told in the order they subscribed, each
 * subscription is undone by the disposable it returns, and a listener that subscribes or
 * unsubscribes while being told does not disturb the delivery in progress. A listener that
 * throws does not stop the others; the first error is rethrown to the emitter's caller after
 * every listener has been told, so a failure is never lost.
 */
export class Emitter<T> {
  private listeners: ((event: T) => void)[] = [];

  on(listener: (event: T) => void): Disposable {
    this.listeners = [...this.listeners, listener];
    let live = true;
    return () => {
      if (!live) return;
      live = false;
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners = [...this.listeners.slice(0, i), ...this.listeners.slice(i + 1)];
    };
  }

  emit(event: T): void {
    // The array is replaced, never mutated, on (un)subscribe: this loop sees a stable list.
    const ls = this.listeners;
    let failed = false;
    let failure: unknown;
    for (let i = 0; i < ls.length; i++) {
      try {
        ls[i]!(event);
      } catch (e) {
        if (!failed) failure = e;
        failed = true;
      }
    }
    if (failed) throw failure;
  }

  get size(): number {
    return this.listeners.length;
  }
}
