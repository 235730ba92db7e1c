import { KeelError } from '../core/errors';
import { timeframeMs } from '../core/timeframe';
import type { BarSeries } from '../model/bar';
import type { Publish, ReplayState, Topics } from '../../protocol/index';
import type { Logger } from './logs';
import type { ReplayTarget } from './services';

export const DEFAULT_REPLAY_SPEED = 2;
export const MAX_REPLAY_SPEED = 1000;
/** Slower, a step would be 2.5 s or more apart: close to the watchdog's silence limit, which would read the replay as a dead feed. */
export const MIN_REPLAY_SPEED = 0.1;
/** Bars replayed when no `from` is given: the tail of the dataset. */
export const DEFAULT_REPLAY_BARS = 500;
/** The shortest timer wait used: below it, a bar's steps (then several bars) go out in one tick. */
const MIN_STEP_MS = 4;

type BarTopic = Topics['bar'];

/**
 * The prices a bar is read to have traded through, in order: open, the nearer extreme, the
 * farther one, close. A bar that closed up is read as having dipped first (open, low, high,
 * close), one that closed down as having rallied first: the usual OHLC path convention.
 */
export function barPath(open: number, high: number, low: number, close: number): number[] {
  return close >= open ? [open, low, high, close] : [open, high, low, close];
}

/**
 * Market replay: stored bars played back as a live feed on the wall clock, for paper trading
 * offline. Each bar goes out as forming updates (open, then each extreme: closed=false) and
 * one closed update (closed=true) on the 'bar' topic; every step's price is printed to the
 * paper desk, which fills, marks and risk-checks from it exactly as from a live stream.
 * One replay at a time; a new start replaces the old one.
 */
export class MarketReplay {
  private series: BarSeries | undefined;
  private start = 0;
  private end = 0;
  /** Index into `series` of the next bar to play. */
  private cursor = 0;
  private status: ReplayState['status'] = 'idle';
  private speed = DEFAULT_REPLAY_SPEED;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Steps of the bar being played that are already out (0 = none). */
  private step = 0;

  constructor(
    private readonly target: ReplayTarget,
    private readonly publish: Publish,
    private readonly log: Logger,
  ) {}

  /** `series` holds the symbol's bars of `timeframe`; replays those from `from` on (default: the last 500). */
  begin(series: BarSeries, opts: { from?: number; speed?: number }): ReplayState {
    if (series.length === 0) throw new KeelError('NOT_FOUND', `no ${series.timeframe} bars for ${series.symbol} to replay`, { where: 'symbol' });
    let start = Math.max(0, series.length - DEFAULT_REPLAY_BARS);
    if (opts.from !== undefined) {
      start = lowerBound(series.ts, opts.from);
      if (start >= series.length) throw new KeelError('NOT_FOUND', `no ${series.timeframe} bars for ${series.symbol} at or after ${new Date(opts.from).toISOString()}`, { where: 'from' });
    }
    this.halt();
    this.series = series;
    this.start = start;
    this.end = series.length;
    this.cursor = start;
    this.step = 0;
    this.speed = clampSpeed(opts.speed ?? DEFAULT_REPLAY_SPEED);
    this.status = 'playing';
    // The replay's market time starts at its first bar's open: a strategy started now warms up on the bars before it.
    this.target.replayFeed(series.symbol, 'playing', series.ts[start]!);
    this.log.info(`replay ${series.symbol} ${series.timeframe}: ${this.end - start} bars from ${new Date(series.ts[start]!).toISOString()} at ${this.speed} bars/s`);
    this.changed();
    this.schedule();
    return this.state();
  }

  control(action: 'pause' | 'resume' | 'stop' | 'step', speed?: number): ReplayState {
    if (speed !== undefined) this.speed = clampSpeed(speed);
    if (action === 'stop') {
      this.halt();
      this.series = undefined;
      this.status = 'idle';
    } else if (this.series === undefined || this.status === 'done') {
      if (action !== 'pause') throw new KeelError('CONFLICT', `no replay to ${action}: start one first`, { where: 'replay' });
    } else if (action === 'pause') {
      this.pause();
    } else if (action === 'resume') {
      if (this.status === 'paused') {
        this.status = 'playing';
        this.target.replayFeed(this.series.symbol, 'playing');
        this.schedule();
      } else if (speed !== undefined) {
        this.schedule(); // new speed from the next step on
      }
    } else {
      // One whole bar (the rest of the current one, if it is half out), then paused.
      this.pause();
      this.target.replayFeed(this.series.symbol, 'paused');
      this.advanceBar();
      if (this.cursor >= this.end) this.finish();
    }
    this.changed();
    return this.state();
  }

  state(): ReplayState {
    const s = this.series;
    const st: ReplayState = { status: this.status, index: s ? this.cursor - this.start : 0, total: s ? this.end - this.start : 0, speed: this.speed };
    if (s) {
      st.symbol = s.symbol;
      st.timeframe = s.timeframe;
      st.cursorTs = s.ts[Math.min(this.cursor, this.end - 1)]!;
    }
    return st;
  }

  close(): void {
    this.halt();
  }

  private pause(): void {
    if (this.status !== 'playing') return;
    this.status = 'paused';
    this.clearTimer();
    // A paused feed is silent on purpose: the watchdog must not read it as a dead stream.
    this.target.replayFeed(this.series!.symbol, 'paused');
  }

  private halt(): void {
    this.clearTimer();
    if (this.series) this.target.replayFeed(this.series.symbol, 'off');
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.clearTimer();
    if (this.status !== 'playing') return;
    const barMs = 1000 / this.speed;
    const stepMs = barMs / 4;
    // Timers cannot wait much less than a few ms: past that, whole bars (then several) per tick.
    const perBar = stepMs < MIN_STEP_MS;
    const bars = barMs >= MIN_STEP_MS ? 1 : Math.round(MIN_STEP_MS / barMs);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        try {
          if (!perBar) this.advance();
          else for (let b = 0; b < bars && this.cursor < this.end; b++) this.advanceBar();
        } catch (e) {
          this.log.error(`replay stopped: ${e instanceof Error ? e.message : String(e)}`);
          this.pause();
          this.changed();
          return;
        }
        if (this.cursor >= this.end) this.finish();
        else this.schedule();
      },
      perBar ? Math.max(barMs, MIN_STEP_MS) : stepMs,
    );
    this.timer.unref?.();
  }

  /** Plays the rest of the current bar (all of it, if none is out yet). */
  private advanceBar(): void {
    do this.advance();
    while (this.step !== 0 && this.cursor < this.end);
  }

  /** Plays the next step of the current bar: a forming update, or the closing one. */
  private advance(): void {
    const s = this.series!;
    const i = this.cursor;
    if (i >= this.end) return;
    const o = s.open[i]!;
    const path = barPath(o, s.high[i]!, s.low[i]!, s.close[i]!);
    const k = this.step;
    const price = path[k]!;
    // Each step at its place in the bar's own time: fills and marks carry the replay's time, not the wall clock's.
    const tf = timeframeMs(s.timeframe);
    const at = k === path.length - 1 ? s.ts[i]! + tf - 1 : s.ts[i]! + Math.floor((k * tf) / (path.length - 1));
    this.target.print(s.symbol, price, at);
    this.target.dataBeat();
    // The forming bar so far: the extremes reached by this step, volume shown only when complete.
    const seen = path.slice(0, k + 1);
    const closed = k === path.length - 1;
    const bar: BarTopic = {
      symbol: s.symbol,
      timeframe: s.timeframe,
      ts: s.ts[i]!,
      open: o,
      high: Math.max(...seen),
      low: Math.min(...seen),
      close: price,
      volume: closed ? s.volume[i]! : 0,
      closed,
    };
    this.publish('bar', bar);
    if (closed) {
      this.target.closedBar(s.symbol, s.timeframe, { ts: bar.ts, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume });
      this.step = 0;
      this.cursor += 1;
      this.target.publishBookNow();
      this.changed();
    } else {
      this.step = k + 1;
    }
  }

  private finish(): void {
    this.clearTimer();
    this.status = 'done';
    if (this.series) this.target.replayFeed(this.series.symbol, 'off');
    this.log.info(`replay ${this.series?.symbol} done`);
    this.changed();
  }

  private changed(): void {
    this.publish('replay', this.state());
  }
}

function clampSpeed(speed: number): number {
  if (!(speed >= MIN_REPLAY_SPEED)) throw new KeelError('BAD_INPUT', `speed must be at least ${MIN_REPLAY_SPEED} bars per second, got ${speed}`, { where: 'speed' });
  return Math.min(MAX_REPLAY_SPEED, speed);
}

/** First index with ts >= t. */
function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
