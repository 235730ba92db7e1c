/** A small typed event emitter: `on` returns the function that undoes it; a throwing listener does not stop the others. */
export class Emitter<T> {
  private listeners: ((e: T) => void)[] = [];

  on(listener: (e: T) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(e: T): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        console.error(err);
      }
    }
  }

  get size(): number {
    return this.listeners.length;
  }
}
