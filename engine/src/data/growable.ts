/**
 * An append-only Float64Array that doubles its capacity as it fills. A generous initial
 * capacity costs address space, not memory: the pages of a large array are only mapped when
 * first written, and on a virtual machine that first write is the expensive part.
 */
export class GrowableF64 {
  private buf: Float64Array;
  length = 0;

  constructor(capacity = 4096) {
    this.buf = new Float64Array(Math.max(1, capacity));
  }

  push(v: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = v;
  }

  /** Appends every value of `values`. */
  pushAll(values: Float64Array): void {
    let cap = this.buf.length;
    while (cap < this.length + values.length) cap *= 2;
    if (cap !== this.buf.length) {
      const bigger = new Float64Array(cap);
      bigger.set(this.buf.subarray(0, this.length));
      this.buf = bigger;
    }
    this.buf.set(values, this.length);
    this.length += values.length;
  }

  /** A view of the filled part (shares memory; valid until the next push). */
  view(): Float64Array {
    return this.buf.subarray(0, this.length);
  }

  /** The filled part as a right-sized array of its own. */
  toArray(): Float64Array {
    return this.buf.slice(0, this.length);
  }
}
