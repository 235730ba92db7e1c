/**
 * Streaming indicators: one bar at a time, O(1) amortised, no allocation after construction.
 * Each `update` performs the same floating-point operations in the same order as its batch
 * twin in batch.ts, so a stream and a batch over the same bars give bitwise equal numbers
 * (the tests hold them to that). `update` returns the current value, NaN during warm-up;
 * `value` repeats it and `ready` says the warm-up since the last restart is complete.
 * A non-finite input restarts the indicator, as in batch.ts; `reset()` does so by hand.
 */
import { logReturn } from './batch';
import { checkFinite, checkMacdPeriods, checkPeriod, resumEvery } from './params';

export class StreamingSMA {
  readonly n: number;
  private readonly buf: Float64Array;
  private readonly every: number;
  private pos = 0;
  private run = 0;
  private since = 0;
  private shift = 0;
  private sum = 0;
  private v = NaN;

  constructor(n: number) {
    this.n = checkPeriod(n, 'StreamingSMA.n');
    this.buf = new Float64Array(n);
    this.every = resumEvery(n);
  }

  get value(): number {
    return this.v;
  }

  get ready(): boolean {
    return this.run === this.n;
  }

  reset(): void {
    this.run = 0;
    this.v = NaN;
  }

  update(x: number): number {
    if (x - x !== 0) {
      this.run = 0;
      return (this.v = NaN);
    }
    const n = this.n;
    const old = this.buf[this.pos]!;
    this.buf[this.pos] = x;
    this.pos = this.pos + 1 === n ? 0 : this.pos + 1;
    if (this.run < n) {
      if (++this.run < n) return (this.v = NaN);
      this.since = this.every;
    }
    if (this.since >= this.every) {
      this.shift = x;
      this.sum = ringSum(this.buf, this.pos, x);
      this.since = 0;
    } else {
      this.sum += x - this.shift - (old - this.shift);
    }
    this.since++;
    return (this.v = this.shift + this.sum / n);
  }
}

/** Σ (buf[j] - shift) from the oldest entry (at `pos`) to the newest, as batch.ts adds them. */
function ringSum(buf: Float64Array, pos: number, shift: number): number {
  let s = 0;
  for (let j = pos; j < buf.length; j++) s += buf[j]! - shift;
  for (let j = 0; j < pos; j++) s += buf[j]! - shift;
  return s;
}

/**
 * Rolling first and second moments about a shift taken from the window; the streaming
 * half of batch.ts's Bollinger / z-score / volatility loops.
 */
class RollingMoments {
  readonly n: number;
  private readonly buf: Float64Array;
  private readonly every: number;
  private pos = 0;
  run = 0;
  private since = 0;
  shift = 0;
  s1 = 0;
  s2 = 0;

  constructor(n: number) {
    this.n = n;
    this.buf = new Float64Array(n);
    this.every = resumEvery(n);
  }

  /** Adds a finite x; true once the window is full. */
  push(x: number): boolean {
    const n = this.n;
    const old = this.buf[this.pos]!;
    this.buf[this.pos] = x;
    this.pos = this.pos + 1 === n ? 0 : this.pos + 1;
    if (this.run < n) {
      if (++this.run < n) return false;
      this.since = this.every;
    }
    if (this.since >= this.every) {
      const buf = this.buf;
      let s1 = 0;
      let s2 = 0;
      for (let j = this.pos; j < n; j++) {
        const d = buf[j]! - x;
        s1 += d;
        s2 += d * d;
      }
      for (let j = 0; j < this.pos; j++) {
        const d = buf[j]! - x;
        s1 += d;
        s2 += d * d;
      }
      this.shift = x;
      this.s1 = s1;
      this.s2 = s2;
      this.since = 0;
    } else {
      const dIn = x - this.shift;
      const dOut = old - this.shift;
      this.s1 += dIn - dOut;
      this.s2 += dIn * dIn - dOut * dOut;
    }
    this.since++;
    return true;
  }

  sd(divisor: number): number {
    const m2 = this.s2 - (this.s1 * this.s1) / this.n;
    return Math.sqrt(m2 > 0 ? m2 / divisor : 0);
  }
}

/** EMA seeded with the mean of its first n inputs; ratio 2/(n+1), or 1/n for Wilder's. */
export class StreamingEMA {
  readonly n: number;
  private readonly a: number;
  private readonly b: number;
  private run = 0;
  private seed = 0;
  private v = NaN;

  constructor(n: number, wilder = false) {
    this.n = checkPeriod(n, 'StreamingEMA.n');
    this.a = wilder ? 1 / n : 2 / (n + 1);
    this.b = 1 - this.a;
  }

  get value(): number {
    return this.v;
  }

  get ready(): boolean {
    return this.run === this.n;
  }

  reset(): void {
    this.run = 0;
    this.seed = 0;
    this.v = NaN;
  }

  update(x: number): number {
    if (x - x !== 0) {
      this.reset();
      return NaN;
    }
    const n = this.n;
    if (this.run < n) {
      this.seed += x / n;
      if (++this.run < n) return NaN;
      return (this.v = this.seed);
    }
    return (this.v = x * this.a + this.v * this.b);
  }
}

export class StreamingRSI {
  readonly n: number;
  private readonly a: number;
  private readonly b: number;
  private hasPrev = false;
  private prevClose = 0;
  private run = 0;
  private up = 0;
  private dn = 0;
  private v = NaN;

  constructor(n = 14) {
    this.n = checkPeriod(n, 'StreamingRSI.n');
    this.a = 1 / n;
    this.b = 1 - this.a;
  }

  get value(): number {
    return this.v;
  }

  get ready(): boolean {
    return this.run === this.n;
  }

  reset(): void {
    this.hasPrev = false;
    this.run = 0;
    this.up = 0;
    this.dn = 0;
    this.v = NaN;
  }

  update(close: number): number {
    if (close - close !== 0) {
      this.reset();
      return NaN;
    }
    if (!this.hasPrev) {
      this.hasPrev = true;
      this.prevClose = close;
      return NaN;
    }
    const d = close - this.prevClose;
    this.prevClose = close;
    const gain = d < 0 ? 0 : d;
    const loss = d < 0 ? -d : 0;
    const n = this.n;
    if (this.run < n) {
      this.up += gain / n;
      this.dn += loss / n;
      if (++this.run < n) return NaN;
    } else {
      this.up = gain * this.a + this.up * this.b;
      this.dn = loss * this.a + this.dn * this.b;
    }
    return (this.v = (100 * this.up) / (this.up + this.dn));
  }
}

export class StreamingATR {
  readonly n: number;
  private readonly a: number;
  private readonly b: number;
  private hasPrev = false;
  private prevClose = 0;
  private run = 0;
  private avg = 0;
  private v = NaN;

  constructor(n = 14) {
    this.n = checkPeriod(n, 'StreamingATR.n');
    this.a = 1 / n;
    this.b = 1 - this.a;
  }

  get value(): number {
    return this.v;
  }

  get ready(): boolean {
    return this.run === this.n;
  }

  reset(): void {
    this.hasPrev = false;
    this.run = 0;
    this.avg = 0;
    this.v = NaN;
  }

  update(high: number, low: number, close: number): number {
    if (high - high + (low - low) + (close - close) !== 0) {
      this.reset();
      return NaN;
    }
    if (!this.hasPrev) {
      this.hasPrev = true;
      this.prevClose = close;
      return NaN;
    }
    const pc = this.prevClose;
    const tr = (high > pc ? high : pc) - (low < pc ? low : pc);
    this.prevClose = close;
    const n = this.n;
    if (this.run < n) {
      this.avg += tr / n;
      if (++this.run < n) return NaN;
    } else {
      this.avg = tr * this.a + this.avg * this.b;
    }
    return (this.v = this.avg);
  }
}

/** MACD in price units; `update` returns the MACD line, `signal` and `histogram` follow. */
export class StreamingMACD {
  private readonly fastEma: StreamingEMA;
  private readonly slowEma: StreamingEMA;
  private readonly signalEma: StreamingEMA;
  private m = NaN;
  private s = NaN;
  private h = NaN;

  constructor(fast = 12, slow = 26, signal = 9) {
    checkMacdPeriods(fast, slow, signal, 'StreamingMACD');
    this.fastEma = new StreamingEMA(fast);
    this.slowEma = new StreamingEMA(slow);
    this.signalEma = new StreamingEMA(signal);
  }

  get value(): number {
    return this.m;
  }

  get macd(): number {
    return this.m;
  }

  get signal(): number {
    return this.s;
  }

  get histogram(): number {
    return this.h;
  }

  /** True once the signal line is defined. */
  get ready(): boolean {
    return this.signalEma.ready;
  }

  reset(): void {
    this.fastEma.reset();
    this.slowEma.reset();
    this.signalEma.reset();
    this.m = this.s = this.h = NaN;
  }

  update(close: number): number {
    const f = this.fastEma.update(close);
    const m = f - this.slowEma.update(close);
    const s = this.signalEma.update(m);
    this.m = m;
    this.s = s;
    this.h = m - s;
    return m;
  }
}

/** Bollinger Bands (population sd); `update` returns the middle band. */
export class StreamingBollinger {
  readonly k: number;
  private readonly mom: RollingMoments;
  private lo = NaN;
  private mid = NaN;
  private up = NaN;

  constructor(n = 20, k = 2) {
    this.mom = new RollingMoments(checkPeriod(n, 'StreamingBollinger.n'));
    this.k = checkFinite(k, 'StreamingBollinger.k');
  }

  get value(): number {
    return this.mid;
  }

  get lower(): number {
    return this.lo;
  }

  get middle(): number {
    return this.mid;
  }

  get upper(): number {
    return this.up;
  }

  get ready(): boolean {
    return this.mom.run === this.mom.n;
  }

  reset(): void {
    this.mom.run = 0;
    this.lo = this.mid = this.up = NaN;
  }

  update(close: number): number {
    if (close - close !== 0) {
      this.reset();
      return NaN;
    }
    // Outputs are already NaN while the window fills: it only fills after a reset.
    if (!this.mom.push(close)) return NaN;
    const mom = this.mom;
    const mid = mom.shift + mom.s1 / mom.n;
    const width = this.k * mom.sd(mom.n);
    this.mid = mid;
    this.lo = mid - width;
    this.up = mid + width;
    return mid;
  }
}

/** Rolling z-score against the population sd of the last n values. */
export class StreamingZScore {
  private readonly mom: RollingMoments;
  private v = NaN;

  constructor(n = 20) {
    this.mom = new RollingMoments(checkPeriod(n, 'StreamingZScore.n', 2));
  }

  get value(): number {
    return this.v;
  }

  get ready(): boolean {
    return this.mom.run === this.mom.n;
  }

  reset(): void {
    this.mom.run = 0;
    this.v = NaN;
  }

  update(x: number): number {
    if (x - x !== 0) {
      this.mom.run = 0;
      return (this.v = NaN);
    }
    const mom = this.mom;
    if (!mom.push(x)) return (this.v = NaN);
    return (this.v = (x - (mom.shift + mom.s1 / mom.n)) / mom.sd(mom.n));
  }
}

/** ln(close / previous close); NaN on the first bar and wherever either close is not positive and finite. */
export class StreamingLogReturn {
  private prev = NaN;
  private v = NaN;

  get value(): number {
    return this.v;
  }

  get ready(): boolean {
    return this.v === this.v;
  }

  reset(): void {
    this.prev = NaN;
    this.v = NaN;
  }

  update(close: number): number {
    const r = logReturn(this.prev, close);
    this.prev = close;
    return (this.v = r);
  }
}

/** Sample sd (divisor n-1) of the last n log returns, per bar (not annualised). Fed closes. */
export class StreamingVolatility {
  private readonly mom: RollingMoments;
  private prev = NaN;
  private v = NaN;

  constructor(n = 20) {
    this.mom = new RollingMoments(checkPeriod(n, 'StreamingVolatility.n', 2));
  }

  get value(): number {
    return this.v;
  }

  get ready(): boolean {
    return this.mom.run === this.mom.n;
  }

  reset(): void {
    this.mom.run = 0;
    this.prev = NaN;
    this.v = NaN;
  }

  update(close: number): number {
    const r = logReturn(this.prev, close);
    this.prev = close;
    if (r - r !== 0) {
      this.mom.run = 0;
      return (this.v = NaN);
    }
    const mom = this.mom;
    if (!mom.push(r)) return (this.v = NaN);
    return (this.v = mom.sd(mom.n - 1));
  }
}

/** Donchian channel over the last n bars including this one; `update` returns the middle. */
export class StreamingDonchian {
  readonly n: number;
  private readonly mask: number;
  private readonly hiVal: Float64Array;
  private readonly hiSeq: Float64Array;
  private readonly loVal: Float64Array;
  private readonly loSeq: Float64Array;
  private hiHead = 0;
  private hiSize = 0;
  private loHead = 0;
  private loSize = 0;
  private seq = 0;
  private run = 0;
  private up = NaN;
  private lo = NaN;
  private mid = NaN;

  constructor(n = 20) {
    this.n = checkPeriod(n, 'StreamingDonchian.n');
    let cap = 1;
    while (cap < n + 1) cap <<= 1;
    this.mask = cap - 1;
    this.hiVal = new Float64Array(cap);
    this.hiSeq = new Float64Array(cap);
    this.loVal = new Float64Array(cap);
    this.loSeq = new Float64Array(cap);
  }

  get value(): number {
    return this.mid;
  }

  get upper(): number {
    return this.up;
  }

  get lower(): number {
    return this.lo;
  }

  get middle(): number {
    return this.mid;
  }

  get ready(): boolean {
    return this.run === this.n;
  }

  reset(): void {
    this.run = this.hiSize = this.loSize = 0;
    this.up = this.lo = this.mid = NaN;
  }

  update(high: number, low: number): number {
    if (high - high + (low - low) !== 0) {
      this.reset();
      return NaN;
    }
    const mask = this.mask;
    const seq = ++this.seq;
    const expired = seq - this.n;

    let head = this.hiHead;
    let size = this.hiSize;
    while (size > 0 && this.hiVal[(head + size - 1) & mask]! <= high) size--;
    this.hiVal[(head + size) & mask] = high;
    this.hiSeq[(head + size) & mask] = seq;
    size++;
    if (this.hiSeq[head]! <= expired) {
      head = (head + 1) & mask;
      size--;
    }
    this.hiHead = head;
    this.hiSize = size;

    head = this.loHead;
    size = this.loSize;
    while (size > 0 && this.loVal[(head + size - 1) & mask]! >= low) size--;
    this.loVal[(head + size) & mask] = low;
    this.loSeq[(head + size) & mask] = seq;
    size++;
    if (this.loSeq[head]! <= expired) {
      head = (head + 1) & mask;
      size--;
    }
    this.loHead = head;
    this.loSize = size;

    if (this.run < this.n && ++this.run < this.n) return NaN;
    const up = this.hiVal[this.hiHead]!;
    const lo = this.loVal[this.loHead]!;
    this.up = up;
    this.lo = lo;
    return (this.mid = (up + lo) / 2);
  }
}
