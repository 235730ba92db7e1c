import type {
  IChartApiBase,
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesPrimitive,
  PrimitivePaneViewZOrder,
  SeriesAttachedParameter,
  Time,
} from 'lightweight-charts';
import type { BarsPayload } from '../../../engine/protocol';

type DrawTarget = Parameters<IPrimitivePaneRenderer['draw']>[0];

export const UP_VOL = 'rgba(38,166,154,0.45)';
export const DOWN_VOL = 'rgba(239,83,80,0.45)';

/** Share of the pane's height the tallest visible column reaches (the bottom 18%). */
const HEIGHT_SHARE = 0.18;

/** The volume bars of one chart, as columns (ms times), updated in place by live bars. */
export class VolumeColumns {
  private ts: number[] = [];
  private open: number[] = [];
  private close: number[] = [];
  private volume: number[] = [];
  /** The arrays are the payload's until a live bar must change them (copied then, once). */
  private owned = true;

  set(p: Pick<BarsPayload, 'ts' | 'open' | 'close' | 'volume'>): void {
    this.ts = p.ts;
    this.open = p.open;
    this.close = p.close;
    this.volume = p.volume;
    this.owned = false;
  }

  get length(): number {
    return this.ts.length;
  }

  /** Older history in front of what is held (`older` ends before the first bar held). */
  prepend(older: Pick<BarsPayload, 'ts' | 'open' | 'close' | 'volume'>): void {
    this.ts = older.ts.concat(this.ts);
    this.open = older.open.concat(this.open);
    this.close = older.close.concat(this.close);
    this.volume = older.volume.concat(this.volume);
    this.owned = true;
  }

  /** A live bar: replaces the bar at its time, or is appended after the last one. */
  update(ts: number, open: number, close: number, volume: number): void {
    const i = this.indexOf(ts);
    const n = this.ts.length;
    if (i < 0 && n > 0 && ts < this.ts[n - 1]!) return; // older than the last bar and unknown: nothing to draw it on
    if (!this.owned) {
      this.ts = this.ts.slice();
      this.open = this.open.slice();
      this.close = this.close.slice();
      this.volume = this.volume.slice();
      this.owned = true;
    }
    const at = i < 0 ? n : i;
    this.ts[at] = ts;
    this.open[at] = open;
    this.close[at] = close;
    this.volume[at] = volume;
  }

  /** Volume of the bar opening at `ts` (ms), if there is one. */
  at(ts: number): number | undefined {
    const i = this.indexOf(ts);
    return i < 0 ? undefined : this.volume[i];
  }

  /** First index whose time is >= ts. */
  lowerBound(ts: number): number {
    let lo = 0;
    let hi = this.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(ts: number): number {
    const i = this.lowerBound(ts);
    return this.ts[i] === ts ? i : -1;
  }

  row(i: number): { ts: number; up: boolean; volume: number } {
    return { ts: this.ts[i]!, up: this.close[i]! >= this.open[i]!, volume: this.volume[i]! };
  }

  /** Largest volume from `from` to `to` (exclusive). */
  max(from: number, to: number): number {
    let m = 0;
    for (let i = from; i < to; i++) if (this.volume[i]! > m) m = this.volume[i]!;
    return m;
  }
}

/**
 * Volume drawn as a primitive of the candle series rather than as a series of its own: a
 * series costs the chart a row object per bar on every setData and re-derives every row on
 * each frame after any update; this draws only the columns in view, from the columns held
 * here. Tallest visible column = HEIGHT_SHARE of the pane, as a histogram on its own
 * scale with margins (0.82, 0) drew it.
 */
export class VolumePrimitive implements ISeriesPrimitive<Time> {
  private chart: IChartApiBase<Time> | undefined;
  private readonly view: IPrimitivePaneView;

  constructor(readonly columns: VolumeColumns) {
    const renderer: IPrimitivePaneRenderer = { draw: (target) => this.draw(target) };
    this.view = { zOrder: (): PrimitivePaneViewZOrder => 'bottom', renderer: () => renderer };
  }

  attached(param: SeriesAttachedParameter<Time>): void {
    this.chart = param.chart;
  }

  detached(): void {
    this.chart = undefined;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return [this.view];
  }

  private draw(target: DrawTarget): void {
    const chart = this.chart;
    const cols = this.columns;
    if (!chart || cols.length === 0) return;
    const scale = chart.timeScale();
    const range = scale.getVisibleRange();
    if (!range) return;
    const from = cols.lowerBound((range.from as number) * 1000);
    const to = cols.lowerBound(((range.to as number) + 1) * 1000);
    const max = cols.max(from, to);
    if (to <= from || max <= 0) return;
    const x0 = scale.logicalToCoordinate(0 as never);
    const x1 = scale.logicalToCoordinate(1 as never);
    const barSpacing = x0 === null || x1 === null ? 6 : Math.abs(x1 - x0);
    target.useBitmapCoordinateSpace(({ context, bitmapSize, horizontalPixelRatio: hr }) => {
      // The histogram's geometry: columns a pixel apart once bars are wider than a pixel.
      const gap = Math.ceil(barSpacing * hr) <= 1 ? 0 : Math.max(1, Math.floor(hr));
      const width = Math.max(1, Math.round(barSpacing * hr) - gap);
      const bottom = bitmapSize.height;
      const full = bitmapSize.height * HEIGHT_SHARE;
      for (const up of [true, false]) {
        context.fillStyle = up ? UP_VOL : DOWN_VOL;
        for (let i = from; i < to; i++) {
          const c = cols.row(i);
          if (c.up !== up) continue;
          const x = scale.timeToCoordinate(Math.floor(c.ts / 1000) as Time);
          if (x === null) continue;
          const h = Math.max(1, Math.round((c.volume / max) * full));
          context.fillRect(Math.round(x * hr) - Math.floor(width / 2), bottom - h, width, h);
        }
      }
    });
  }
}
