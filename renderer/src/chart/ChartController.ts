import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  LineSeries,
  LineStyle,
  createSeriesMarkers,
  type CandlestickData,
  type CandlestickSeriesPartialOptions,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type ISeriesPrimitive,
  type Logical,
  type LogicalRange,
  type MouseEventParams,
  type SeriesMarker,
  type SeriesType,
  type Time,
  type UTCTimestamp,
  type WhitespaceData,
} from 'lightweight-charts';
import type { BarsPayload, LineStyleName, Topics } from '../../../engine/protocol';
import { Emitter } from '../lib/emitter';
import { timeframeMs } from '../lib/timeframe';
import { palette } from '../theme';
import { histogramColors, toCandles, toChartTime, toLineData } from './bars';
import type { PlannedSeries } from './indicatorSeries';
import { NEAR_END_BARS, NEAR_START_BARS, ShownWindow, prependPayload } from './history';
import { LiveTail } from './liveTail';
import { PaintSync } from './paintSync';
import { trailingThrottle } from './throttle';
import { createTimeChart } from './timeScale';
import { VolumeColumns, VolumePrimitive } from './volume';

export interface LegendValues {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | undefined;
  /** Each indicator's drawn outputs at that bar, by key (undefined where it has no value there). */
  indicators: Record<string, (number | undefined)[]>;
}

/** An indicator's computed points (`indicators.compute`): one column per output, aligned with `ts`. */
export interface IndicatorPoints {
  key: string;
  ts: number[];
  outputs: Record<string, (number | null)[]>;
}

/** How the trader styled an indicator: a colour per output (in plan order), the line's style and width. */
export interface IndicatorStyle {
  colors?: string[];
  lineStyle?: LineStyleName;
  lineWidth?: number;
}

/** An indicator to draw: its points and, from the catalogue, how to draw each output (planSeries) and its guide levels. */
export interface IndicatorPlot extends IndicatorPoints, IndicatorStyle {
  series: PlannedSeries[];
  guides?: number[];
}

const LINE_STYLE: Record<LineStyleName, LineStyle> = { solid: LineStyle.Solid, dashed: LineStyle.Dashed, dotted: LineStyle.Dotted };

/**
 * An indicator as drawn: its plan, the series drawing each planned output (none for markers),
 * its points (the legend reads them at the crosshair's bar), where they end and the latest value of each.
 */
interface IndicatorMeta {
  plan: PlannedSeries[];
  drawn: (ISeriesApi<SeriesType> | undefined)[];
  ts: number[];
  cols: (number | null)[][];
  lastTs: number;
  last: (number | undefined)[];
}

/** The indicator's drawn values at bar `time` (undefined where it has none). */
function valuesAt(meta: IndicatorMeta, time: number): (number | undefined)[] {
  let lo = 0;
  let hi = meta.ts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (meta.ts[mid]! < time) lo = mid + 1;
    else hi = mid;
  }
  const found = meta.ts[lo] === time;
  return meta.drawn.map((s, k) => {
    const v = found && s ? meta.cols[k]![lo] : undefined;
    return v === null || v === undefined || !Number.isFinite(v) ? undefined : v;
  });
}

/** Empty bars right of the latest one when the view is put on it (as setBars opens a chart). */
const LATEST_GAP_BARS = 5;

const CANDLE_STYLE: CandlestickSeriesPartialOptions = {
  upColor: palette.up,
  downColor: palette.down,
  borderVisible: false,
  wickUpColor: palette.up,
  wickDownColor: palette.down,
};

/**
 * Owns one lightweight-charts instance: candles and volume in the main pane, overlays on
 * top, oscillators in their own panes, markers for trades and fills. React hands it data;
 * it never re-sets the whole series for a live bar (series.update only), and live bars go
 * to a small tail series, never the loaded history (see LiveTail).
 */
export class ChartController {
  readonly chart: IChartApi;
  private candles: ISeriesApi<'Candlestick'>;
  private tail: ISeriesApi<'Candlestick'>;
  private live = new LiveTail();
  /** The history's last price, drawn as the series' own last-value line would be, until the tail takes over. */
  private lastLine: IPriceLine | undefined;
  private volume = new VolumePrimitive(new VolumeColumns());
  private markers: ISeriesMarkersPluginApi<Time>;
  private tailMarkers: ISeriesMarkersPluginApi<Time>;
  private indicatorSeries = new Map<string, ISeriesApi<SeriesType>[]>();
  private patternMarkers = new Map<string, SeriesMarker<Time>[]>();
  private baseMarkers: SeriesMarker<Time>[] = [];
  private lastTime: number | undefined;
  private lastBar: LegendValues | undefined;
  /** The history in hand (setBars, then older pages in front), as columns in ms. */
  private history: BarsPayload | undefined;
  /** Which of `history` the library has been given: the newest page, then pages as the view nears either end. */
  private window = new ShownWindow();
  /** historyPayload()'s answer until the history or the window changes. */
  private shownPayload: BarsPayload | undefined;
  private moveTimer: ReturnType<typeof setTimeout> | undefined;
  private nearStartHandler: (() => void) | undefined;
  private historyHandler: (() => void) | undefined;
  private awayHandler: ((away: boolean) => void) | undefined;
  /** The view is off the latest bar (scrolled back): the page offers a way back. */
  private away = false;
  private hovering = false;
  /** While history is reloading, live bars wait here instead of drawing on the old data. */
  private holding = false;
  /** Per indicator: its plan, the chart series drawing each planned output (none for markers), where its points end. */
  private indicatorMeta = new Map<string, IndicatorMeta>();
  /** The bar under the crosshair (its legend is re-read when indicators change under it). */
  private hovered: LegendValues | undefined;
  /** Redrawn with the chart (a scroll, a zoom, a new bar, a rescale): overlays placed in prices and times follow. */
  private readonly paints = new Emitter<void>();
  private readonly paintSync = new PaintSync(() => this.paints.emit());
  private readonly crosshairs = new Emitter<number | undefined>();
  private readonly lastPrices = new Emitter<number>();
  private tfMs: number | undefined;
  /** Where the crosshair was last seen or put (ms), so a linked move is passed on once. */
  private crosshairAt: number | undefined;
  private closedHandler: ((ts: number) => void) | undefined;
  private livePaintedHandler: ((tradeAts: number[], paintedAt: number) => void) | undefined;
  private pendingBars = new Map<number, Topics['bar']>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private legendHandler: ((v: LegendValues | undefined) => void) | undefined;
  /**
   * Live bars reach the legend at most ten times a second: a figure changing every frame
   * cannot be read, and each change is a React render inside the frame the chart draws in.
   */
  private liveLegend = trailingThrottle(() => {
    if (!this.hovering) this.emitLegend(this.lastBar);
  }, 100);

  constructor(container: HTMLElement) {
    this.chart = createTimeChart(container, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: palette.panel },
        textColor: palette.textDim,
        fontSize: 11,
        fontFamily: 'Inter, system-ui, sans-serif',
        attributionLogo: false,
        panes: { separatorColor: palette.border, separatorHoverColor: palette.accent, enableResize: true },
      },
      grid: { vertLines: { color: palette.grid }, horzLines: { color: palette.grid } },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderColor: palette.border },
      timeScale: { borderColor: palette.border, timeVisible: true, secondsVisible: false },
      localization: { timeFormatter: (t: number) => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ') },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, { ...CANDLE_STYLE, lastValueVisible: false, priceLineVisible: false });
    this.tail = this.chart.addSeries(CandlestickSeries, CANDLE_STYLE);
    this.candles.attachPrimitive(this.volume);
    this.candles.attachPrimitive(this.paintSync);
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.06, bottom: 0.2 } });
    this.markers = createSeriesMarkers(this.candles, []);
    this.tailMarkers = createSeriesMarkers(this.tail, []);
    this.chart.subscribeCrosshairMove(this.onCrosshair);
    this.chart.timeScale().subscribeVisibleLogicalRangeChange(this.onRange);
  }

  /**
   * Called when the view comes within NEAR_START_BARS of the first bar shown and no older
   * bars are in hand: older history is wanted (from the store). Bars in hand are shown first.
   */
  onNearStart(handler: (() => void) | undefined): void {
    this.nearStartHandler = handler;
  }

  /** Called when the bars shown change without a setBars (the window moved, a page came in): what is drawn over them (indicators) should follow. */
  onHistoryChange(handler: (() => void) | undefined): void {
    this.historyHandler = handler;
  }

  /** Called when the view leaves the latest bar (true) or comes back to it (false). */
  onAwayFromLatest(handler: ((away: boolean) => void) | undefined): void {
    this.awayHandler = handler;
  }

  /**
   * The view back on the latest bars, at the same zoom: the newest page shown again if the
   * window had moved back. (Not the library's scrollToRealTime: its animation can stop a
   * frame short of the end, here ~160 bars short after a long scroll.)
   */
  scrollToLatest(): void {
    if (this.window.atNewest) this.chart.timeScale().scrollToPosition(LATEST_GAP_BARS, false);
    else this.moveWindow(() => this.window.showNewest(), { toLatest: true });
  }

  private noteAway(range: LogicalRange | null): void {
    // scrollPosition: bars between the right edge and the last bar (negative when scrolled back).
    const away = Boolean(range) && (!this.window.atNewest || this.chart.timeScale().scrollPosition() < -3);
    if (away === this.away) return;
    this.away = away;
    this.awayHandler?.(away);
  }

  private onRange = (range: LogicalRange | null): void => {
    this.noteAway(range);
    if (!range || !this.history || this.history.ts.length === 0) return;
    if (range.from < NEAR_START_BARS && !this.window.holdingBack) return this.nearStartHandler?.();
    if (this.windowMoveFor(range) === 'none') return;
    // Not from inside the library's range callback: the next task re-sets the data, if the
    // view still asks for it then (a callback may report a range already replaced).
    this.moveTimer ??= setTimeout(() => {
      this.moveTimer = undefined;
      const now = this.chart.timeScale().getVisibleLogicalRange();
      const move = now ? this.windowMoveFor(now) : 'none';
      if (move === 'newest') this.moveWindow(() => this.window.showNewest(), { toLatest: true });
      else if (move !== 'none') this.moveWindow(() => (move === 'older' ? this.window.showOlder() : this.window.showNewer()));
    }, 0);
  };

  /** Which way the window of shown bars should move for a view on `range`. */
  private windowMoveFor(range: LogicalRange): 'none' | 'older' | 'newer' | 'newest' {
    const w = this.window;
    if (range.from < NEAR_START_BARS && w.holdingBack) return 'older';
    if (w.atNewest) return 'none';
    // The view reached past the last bar shown, into the live tail (a double click on the time
    // axis resets the view there): the newest page, and the view on the latest bars.
    if (range.to >= w.shown) return 'newest';
    return range.to > w.shown - NEAR_END_BARS ? 'newer' : 'none';
  }

  /** The bars shown (the library holds these), oldest first. */
  historyPayload(): BarsPayload | undefined {
    const h = this.history;
    const w = this.window;
    if (!h || (w.from === 0 && w.atNewest)) return h;
    if (!this.shownPayload) {
      const a = w.from;
      const b = w.to;
      this.shownPayload = { ...h, ts: h.ts.slice(a, b), open: h.open.slice(a, b), high: h.high.slice(a, b), low: h.low.slice(a, b), close: h.close.slice(a, b), volume: h.volume.slice(a, b) };
    }
    return this.shownPayload;
  }

  /** Bars the library has been given (the bench and the specs read it). */
  shownBars(): number {
    return this.window.shown;
  }

  /** Open times (ms) of the first and last bars the library has been given. */
  shownSpan(): { first: number; last: number } | undefined {
    const h = this.history;
    if (!h || this.window.shown === 0) return undefined;
    return { first: h.ts[this.window.from]!, last: h.ts[this.window.to - 1]! };
  }

  /**
   * Older history in front of the bars in hand (a page from scrolling back). The view stays
   * on the bars it showed; live bars in the tail stay as they are.
   */
  prependBars(older: BarsPayload): void {
    const current = this.history;
    if (!current || current.ts.length === 0) return;
    const merged = prependPayload(older, current);
    const added = merged.ts.length - current.ts.length;
    if (added === 0) return;
    this.history = merged;
    this.volume.columns.prepend({ ts: merged.ts.slice(0, added), open: merged.open.slice(0, added), close: merged.close.slice(0, added), volume: merged.volume.slice(0, added) });
    this.moveWindow(
      () => {
        this.window.prepended(added);
        return true;
      },
      { prepended: added },
    );
  }

  /**
   * Moves the window of shown bars (`move` says whether it did) and gives the library the
   * bars now shown, keeping the view on the bars it showed (or, `toLatest`, putting it on
   * the latest ones). `prepended` bars were put in front of the history meanwhile.
   */
  private moveWindow(move: () => boolean, { prepended = 0, toLatest = false } = {}): void {
    const h = this.history;
    // (`h` already has the prepended bars in front: the first bar shown is `prepended` further on.)
    const before = { from: this.window.from, shown: this.window.shown, first: h?.ts[this.window.from + prepended] };
    if (!h || !move()) return;
    this.shownPayload = undefined;
    if (before.first === h.ts[this.window.from] && before.shown === this.window.shown) return; // the same bars (a page that waits behind held-back ones)
    const view = this.chart.timeScale().getVisibleLogicalRange();
    const rows: (CandlestickData | WhitespaceData)[] = toCandles(h, this.window.from, this.window.to);
    // The tail may have taken over the history's last bar (LiveTail): it stays blank here.
    if (this.window.atNewest && this.live.start === h.ts[h.ts.length - 1]) rows[rows.length - 1] = { time: rows[rows.length - 1]!.time };
    // Indicators drawn over the old window would keep its time points: they are recomputed for the new one.
    this.clearIndicatorData();
    this.candles.setData(rows);
    if (toLatest) this.chart.timeScale().scrollToPosition(LATEST_GAP_BARS, false);
    else if (view) {
      const follow = (x: number) => ShownWindow.follow(x, before, this.window, prepended);
      this.chart.timeScale().setVisibleLogicalRange({ from: follow(view.from), to: follow(view.to) });
    }
    this.applyMarkers();
    this.historyHandler?.();
  }

  onLegend(handler: (v: LegendValues | undefined) => void): void {
    this.legendHandler = handler;
  }

  /** Called when each live bar closes (after it is drawn): indicators catch up then. */
  onClosedBar(handler: ((ts: number) => void) | undefined): void {
    this.closedHandler = handler;
  }

  /**
   * A history reload is under way (a replay started): live bars are kept, not drawn, until
   * setBars; those newer than the reloaded history are then drawn on top of it.
   */
  hold(): void {
    this.holding = true;
    this.pendingBars.clear();
  }

  /**
   * A new history, of any length: the library is given its newest HISTORY_PAGE bars (what
   * a view can reach without scrolling far), the rest as the view scrolls back to them.
   */
  setBars(p: BarsPayload): void {
    this.holding = false;
    this.history = p;
    this.tfMs = timeframeMs(p.timeframe);
    this.shownPayload = undefined;
    this.window.reset(p.ts.length);
    if (this.moveTimer !== undefined) clearTimeout(this.moveTimer);
    this.moveTimer = undefined;
    const n = p.ts.length;
    const shown = this.window.shown;
    // Every series' times make up the time scale: indicators of the old history would keep
    // it longer than the new bars and push the view off them (the chart holds its offset
    // from the last time point). Indicators are recomputed for the new bars.
    this.clearIndicatorData();
    // The tail is emptied while the history is too, so neither clear rebuilds the time scale.
    const hadTail = this.live.start !== undefined;
    if (hadTail) {
      this.candles.setData([]);
      this.tail.setData([]);
    }
    this.volume.columns.set(p);
    this.candles.setData(toCandles(p, this.window.from, this.window.to));
    // Re-applying a price format re-measures every bar: only when it really changes.
    const decimals = priceDecimalsOf(p.close);
    if (decimals !== this.decimals) {
      this.decimals = decimals;
      const priceFormat = { type: 'price', precision: decimals, minMove: 10 ** -decimals } as const;
      this.candles.applyOptions({ priceFormat });
      this.tail.applyOptions({ priceFormat });
    }
    this.lastTime = n ? p.ts[n - 1] : undefined;
    this.live.reset(this.lastTime);
    this.showLastLine(n ? { open: p.open[n - 1]!, close: p.close[n - 1]! } : undefined);
    if (hadTail) this.applyMarkers();
    this.lastBar = n ? { time: p.ts[n - 1]!, open: p.open[n - 1]!, high: p.high[n - 1]!, low: p.low[n - 1]!, close: p.close[n - 1]!, volume: p.volume[n - 1], indicators: {} } : undefined;
    if (n) this.lastPrices.emit(p.close[n - 1]!);
    for (const ts of this.pendingBars.keys()) if (this.lastTime !== undefined && ts <= this.lastTime) this.pendingBars.delete(ts);
    // Open on the latest bars, as a trader wants; fitting 100k bars first would be wasted work.
    if (shown > 300) this.chart.timeScale().setVisibleLogicalRange({ from: shown - 300, to: shown + LATEST_GAP_BARS });
    else this.chart.timeScale().fitContent();
    this.hovering = false;
    this.emitLegend(this.lastBar);
    if (this.pendingBars.size) this.flushTimer ??= setTimeout(this.flushBars, 0);
  }

  private decimals = 2;

  private showLastLine(bar: { open: number; close: number } | undefined): void {
    if (this.lastLine) this.candles.removePriceLine(this.lastLine);
    this.lastLine = bar
      ? this.candles.createPriceLine({
          price: bar.close,
          color: bar.close >= bar.open ? palette.up : palette.down,
          lineWidth: 1,
          lineStyle: LineStyle.Dashed,
          axisLabelVisible: true,
        })
      : undefined;
  }

  /** Bars the volume columns hold (the bench waits for all of them). */
  volumeBars(): number {
    return this.volume.columns.length;
  }

  /**
   * A live bar: the forming one is replaced, a new one appended; older bars are ignored.
   * Updates that arrive together (one push, one burst of messages) are gathered and given to
   * the library in the next task, not the next frame: the library draws on the frame after
   * it is given a bar, so waiting for a frame to give it would cost a second frame (17 ms) of
   * a live trade's way to the screen. The library itself draws at most once a frame.
   */
  updateBar(b: Topics['bar']): void {
    if (!this.holding && this.lastTime !== undefined && b.ts < this.lastTime) return;
    this.pendingBars.set(b.ts, b);
    if (!this.holding) this.flushTimer ??= setTimeout(this.flushBars, 0);
  }

  private flushBars = (): void => {
    this.flushTimer = undefined;
    const bars = [...this.pendingBars.values()].sort((a, b) => a.ts - b.ts);
    this.pendingBars.clear();
    let closed: number | undefined;
    const tailWasEmpty = this.live.start === undefined;
    for (const b of bars) {
      if (this.lastTime !== undefined && b.ts < this.lastTime) continue;
      const step = this.live.route(b.ts);
      if (step.kind === 'stale') continue;
      const time = toChartTime(b.ts);
      if (step.takeLast) this.candles.update({ time }); // blank the history's copy: the tail draws this bar from now on
      this.tail.update({ time, open: b.open, high: b.high, low: b.low, close: b.close });
      this.volume.columns.update(b.ts, b.open, b.close, b.volume);
      this.lastTime = b.ts;
      this.lastBar = { time: b.ts, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, indicators: {} };
      if (b.closed) closed = b.ts;
    }
    if (tailWasEmpty && this.live.start !== undefined) {
      this.showLastLine(undefined); // the tail's own last-value line takes over
      this.applyMarkers();
    }
    if (!this.hovering) this.liveLegend.call();
    if (closed !== undefined) this.closedHandler?.(closed);
    if (this.livePaintedHandler) {
      const ats = bars.flatMap((b) => (b.lastTradeAt !== undefined ? [b.lastTradeAt] : []));
      // The library draws on the next frame; this callback, queued after its own, runs once it has.
      if (ats.length > 0) requestAnimationFrame(() => this.livePaintedHandler?.(ats, Date.now()));
    }
  };

  /** Told when live bars that carry their newest trade's time have been drawn (the UI bench's latency probe). */
  onLivePainted(fn: ((tradeAts: number[], paintedAt: number) => void) | undefined): void {
    this.livePaintedHandler = fn;
  }

  /**
   * New points of an indicator already drawn (after live bars closed): only those after
   * the last one plotted are added, with series.update, never a full setData.
   */
  extendIndicator(plot: IndicatorPoints): void {
    const meta = this.indicatorMeta.get(plot.key);
    // Away from the newest bars, new points would land past the last bar shown (the window's
    // return to the newest recomputes them).
    if (!meta || !this.window.atNewest || !Number.isFinite(meta.lastTs)) return;
    let last = meta.lastTs;
    let marked = false;
    for (let i = 0; i < plot.ts.length; i++) {
      if (plot.ts[i]! <= meta.lastTs) continue;
      meta.ts.push(plot.ts[i]!);
      meta.plan.forEach((p, k) => meta.cols[k]!.push(plot.outputs[p.output]?.[i] ?? null));
    }
    meta.plan.forEach((p, k) => {
      const values = plot.outputs[p.output];
      if (!values) return;
      const s = meta.drawn[k];
      for (let i = 0; i < plot.ts.length; i++) {
        const t = plot.ts[i]!;
        if (t <= meta.lastTs) continue;
        last = Math.max(last, t);
        const v = values[i];
        if (p.style === 'marker') {
          if (v === 1) {
            this.patternMarkers.get(plot.key)?.push(patternMarker(t));
            marked = true;
          }
          continue;
        }
        if (!s) continue;
        const time = toChartTime(t);
        if (v === null || v === undefined || !Number.isFinite(v)) s.update({ time });
        else {
          s.update(p.style === 'histogram' ? { time, value: v, color: v >= 0 ? palette.up : palette.down } : { time, value: v });
          meta.last[k] = v;
        }
      }
    });
    meta.lastTs = last;
    if (marked) this.applyMarkers();
    this.refreshLegend();
  }

  /** The indicator's points for the bars shown are drawn (false while they are being recomputed). */
  indicatorPlotted(key: string): boolean {
    return Number.isFinite(this.indicatorMeta.get(key)?.lastTs ?? NaN);
  }

  /** Where an indicator's drawn points end (ms), for asking only what is new; undefined while there is nothing to extend. */
  indicatorEnd(key: string): number | undefined {
    const end = this.indicatorMeta.get(key)?.lastTs;
    return this.window.atNewest && end !== undefined && Number.isFinite(end) ? end : undefined;
  }

  /** Draws an indicator as its plan says: lines, histograms and dots as series, markers on the candles. */
  setIndicator(whole: IndicatorPlot): void {
    this.removeIndicator(whole.key);
    const plot = this.clipToShown(whole);
    const drawn: (ISeriesApi<SeriesType> | undefined)[] = [];
    const marks: SeriesMarker<Time>[] = [];
    let ownPane: number | undefined;
    const last: (number | undefined)[] = [];
    for (const [k, p] of plot.series.entries()) {
      const values = plot.outputs[p.output] ?? [];
      if (p.style === 'marker') {
        values.forEach((v, i) => {
          if (v === 1) marks.push(patternMarker(plot.ts[i]!));
        });
        drawn.push(undefined);
        continue;
      }
      const own = p.pane === 'own';
      const paneIndex = own ? (ownPane ?? this.chart.panes().length) : 0;
      const s =
        p.style === 'histogram'
          ? this.chart.addSeries(HistogramSeries, { priceLineVisible: false, lastValueVisible: false, title: p.title }, paneIndex)
          : this.chart.addSeries(
              LineSeries,
              {
                ...lineStyleOf(plot, k),
                priceLineVisible: false,
                lastValueVisible: own,
                crosshairMarkerVisible: false,
                title: own ? p.title : '',
                // Dots: the points alone, as a parabolic SAR is read.
                ...(p.style === 'dots' && { lineVisible: false, pointMarkersVisible: true, pointMarkersRadius: 1.5 }),
              },
              paneIndex,
            );
      s.setData(p.style === 'histogram' ? histogramColors(plot.ts, values) : toLineData(plot.ts, values));
      if (own && ownPane === undefined) {
        ownPane = s.getPane().paneIndex();
        s.getPane().setStretchFactor(0.3);
        // Guide levels where the indicator's readings are judged (RSI 30 and 70), in its own pane.
        for (const g of plot.guides ?? []) s.createPriceLine({ price: g, color: palette.textDim, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: '' });
      }
      drawn.push(s);
      last[k] = lastFinite(values);
    }
    this.indicatorSeries.set(plot.key, drawn.filter((s): s is ISeriesApi<SeriesType> => s !== undefined));
    this.indicatorMeta.set(plot.key, {
      plan: plot.series,
      drawn,
      ts: plot.ts.slice(),
      cols: plot.series.map((p) => (plot.outputs[p.output] ?? []).slice()),
      lastTs: plot.ts[plot.ts.length - 1] ?? -Infinity,
      last,
    });
    this.refreshLegend();
    if (plot.series.some((p) => p.style === 'marker')) {
      this.patternMarkers.set(plot.key, marks);
      this.applyMarkers();
    }
  }

  /**
   * The plot's points over the bars shown (and after them while the newest is shown, for the
   * live tail): other points would add time points with no candle under them and lengthen
   * the time scale the window keeps short.
   */
  private clipToShown<P extends IndicatorPoints>(plot: P): P {
    const span = this.shownSpan();
    if (!span || plot.ts.length === 0) return plot;
    const last = this.window.atNewest ? Infinity : span.last;
    if (plot.ts[0]! >= span.first && plot.ts[plot.ts.length - 1]! <= last) return plot;
    let a = 0;
    while (a < plot.ts.length && plot.ts[a]! < span.first) a++;
    let b = plot.ts.length;
    while (b > a && plot.ts[b - 1]! > last) b--;
    const outputs: IndicatorPoints['outputs'] = {};
    for (const [name, values] of Object.entries(plot.outputs)) outputs[name] = values.slice(a, b);
    return { ...plot, ts: plot.ts.slice(a, b), outputs };
  }

  /** New colours, line style or width for an indicator already drawn: no recomputation. */
  restyleIndicator(key: string, style: IndicatorStyle): void {
    const meta = this.indicatorMeta.get(key);
    if (!meta) return;
    meta.plan.forEach((p, k) => {
      const s = meta.drawn[k];
      if (s && p.style !== 'histogram') s.applyOptions(lineStyleOf(style, k));
    });
  }

  /** Every indicator's points dropped (the series stay): they are recomputed for new bars. */
  private clearIndicatorData(): void {
    for (const list of this.indicatorSeries.values()) for (const s of list) s.setData([]);
    for (const meta of this.indicatorMeta.values()) {
      meta.lastTs = -Infinity;
      meta.ts = [];
      meta.cols = meta.plan.map(() => []);
    }
  }

  removeIndicator(key: string): void {
    const series = this.indicatorSeries.get(key);
    if (!series) return;
    for (const s of series) this.chart.removeSeries(s);
    this.indicatorSeries.delete(key);
    this.indicatorMeta.delete(key);
    if (this.patternMarkers.delete(key)) this.applyMarkers();
  }

  indicatorKeys(): string[] {
    return [...this.indicatorSeries.keys()];
  }

  /** Trade and fill markers; pattern markers are kept apart and merged in. */
  setMarkers(m: SeriesMarker<UTCTimestamp>[]): void {
    this.baseMarkers = m;
    this.applyMarkers();
  }

  /** Markers go on the series that draws their bar: the history's or the tail's. */
  private applyMarkers(): void {
    // Markers outside the bars shown wait for their page: the library would pin them to the nearest bar.
    const span = this.shownSpan();
    const last = this.window.atNewest ? Infinity : (span?.last ?? Infinity);
    const inView = (m: SeriesMarker<Time>) => !span || ((m.time as number) * 1000 >= span.first && (m.time as number) * 1000 <= last);
    const all = this.baseMarkers.filter(inView);
    for (const m of this.patternMarkers.values()) all.push(...m.filter(inView));
    if (this.patternMarkers.size) all.sort((a, b) => (a.time as number) - (b.time as number));
    const start = this.live.start;
    const split = start === undefined ? all.length : all.findIndex((m) => (m.time as number) * 1000 >= start);
    const at = split < 0 ? all.length : split;
    this.markers.setMarkers(all.slice(0, at));
    this.tailMarkers.setMarkers(all.slice(at));
  }

  dispose(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    if (this.moveTimer !== undefined) clearTimeout(this.moveTimer);
    this.liveLegend.cancel();
    this.chart.unsubscribeCrosshairMove(this.onCrosshair);
    this.chart.timeScale().unsubscribeVisibleLogicalRangeChange(this.onRange);
    this.chart.remove();
  }

  private onCrosshair = (param: MouseEventParams): void => {
    type Ohlc = { open: number; high: number; low: number; close: number };
    // Passed on only when it moved: a crosshair put here by a linked chart is already where the other chart has it.
    const at = param.time === undefined ? undefined : (param.time as number) * 1000;
    if (at !== this.crosshairAt) {
      this.crosshairAt = at;
      this.crosshairs.emit(at);
    }
    const bar = (param.seriesData.get(this.tail) ?? param.seriesData.get(this.candles)) as Ohlc | undefined;
    this.hovering = Boolean(bar && param.time !== undefined);
    if (!bar || param.time === undefined) {
      this.hovered = undefined;
      return this.emitLegend(this.lastBar);
    }
    const time = (param.time as number) * 1000;
    this.hovered = { time, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: this.volume.columns.at(time), indicators: {} };
    this.refreshLegend();
  };

  /** The legend again: the hovered bar's with every indicator's values there, else the latest bar's. */
  private refreshLegend(): void {
    const h = this.hovering ? this.hovered : undefined;
    if (!h) return this.emitLegend(this.lastBar);
    const indicators: LegendValues['indicators'] = {};
    for (const [key, meta] of this.indicatorMeta) indicators[key] = valuesAt(meta, h.time);
    this.emitLegend({ ...h, indicators });
  }

  /** Open time (ms) of the latest bar drawn. */
  lastBarTime(): number | undefined {
    return this.lastTime;
  }

  /** The latest bar: what the legend shows while the crosshair is away. */
  legendNow(): LegendValues | undefined {
    return this.withLastIndicators(this.lastBar);
  }

  private emitLegend(v: LegendValues | undefined): void {
    this.legendHandler?.(v === this.lastBar ? this.withLastIndicators(v) : v);
  }

  /** The latest bar with each indicator's latest drawn values. */
  private withLastIndicators(v: LegendValues | undefined): LegendValues | undefined {
    if (!v) return v;
    const indicators: LegendValues['indicators'] = {};
    for (const [key, meta] of this.indicatorMeta) indicators[key] = meta.drawn.map((s, k) => (s ? meta.last[k] : undefined));
    return { ...v, indicators };
  }

  // ---------- what overlays (order lines, drawings, linked charts) need ----------

  /** Called after every redraw of the chart: a scroll, a zoom, a rescale or a new bar. */
  onPaint(listener: () => void): () => void {
    return this.paints.on(listener);
  }

  /** The trader's own crosshair moved to a bar (ms), or left the chart (undefined). */
  onCrosshairTime(listener: (ts: number | undefined) => void): () => void {
    return this.crosshairs.on(listener);
  }

  /** A history was loaded: its last close is the latest price known (live bars reach the price store from the wire). */
  onLastPrice(listener: (price: number) => void): () => void {
    return this.lastPrices.on(listener);
  }

  /**
   * The crosshair put on the bar holding `ts` (from a linked chart), or taken away; the legend
   * reads that bar, as if hovered (the library tells no one of a crosshair set from outside).
   */
  showCrosshair(ts: number | undefined): void {
    const h = this.history;
    const open = ts === undefined || this.tfMs === undefined ? undefined : Math.floor(ts / this.tfMs) * this.tfMs;
    this.crosshairAt = open;
    const clear = () => {
      this.chart.clearCrosshairPosition();
      this.hovering = false;
      this.hovered = undefined;
      this.emitLegend(this.lastBar);
    };
    if (open === undefined || !h) return clear();
    let bar: LegendValues | undefined;
    if (this.live.start !== undefined && open >= this.live.start) {
      if (!this.lastBar || open !== this.lastBar.time) return clear();
      bar = this.lastBar;
      this.chart.setCrosshairPosition(bar.close, toChartTime(open), this.tail);
    } else {
      const span = this.shownSpan();
      const i = this.volume.columns.lowerBound(open);
      if (!span || open < span.first || open > span.last || h.ts[i] !== open) return clear();
      bar = { time: open, open: h.open[i]!, high: h.high[i]!, low: h.low[i]!, close: h.close[i]!, volume: h.volume[i], indicators: {} };
      // Off the view, the library would pin the crosshair to the nearest edge: the legend reads the bar, no line is drawn.
      const x = this.timeToX(open);
      if (x !== null && x >= 0 && x <= this.pricePane().width) this.chart.setCrosshairPosition(bar.close, toChartTime(open), this.candles);
      else this.chart.clearCrosshairPosition();
    }
    this.hovering = true;
    this.hovered = bar;
    this.refreshLegend();
  }

  /** The price pane's size in CSS pixels (overlays are placed inside it). */
  pricePane(): { width: number; height: number } {
    const size = this.chart.paneSize(0);
    return { width: size.width, height: size.height };
  }

  /** Where `price` is drawn, in pixels from the top of the price pane (null when it has no scale yet). */
  priceToY(price: number): number | null {
    return this.candles.priceToCoordinate(price);
  }

  /** The price at `y` pixels from the top of the price pane. */
  yToPrice(y: number): number | null {
    return this.candles.coordinateToPrice(y);
  }

  /**
   * Where time `ts` is drawn, in pixels from the left, also between bars and past the last one
   * (a drawing's point need not sit on a bar): interpolated between the bars shown, extended
   * by the timeframe beyond them.
   */
  timeToX(ts: number): number | null {
    const l = this.timeToLogical(ts);
    return l === undefined ? null : this.chart.timeScale().logicalToCoordinate(l as Logical);
  }

  /** The time at `x` pixels from the left, also between bars and past the last one. */
  xToTime(x: number): number | undefined {
    const l = this.chart.timeScale().coordinateToLogical(x);
    return l === null ? undefined : this.logicalToTime(l);
  }

  /** Milliseconds in one bar of the chart's timeframe. */
  barMs(): number | undefined {
    return this.tfMs;
  }

  private timeToLogical(ts: number): number | undefined {
    const h = this.history;
    const tf = this.tfMs;
    const w = this.window;
    if (!h || !tf || w.shown === 0) return undefined;
    const first = h.ts[w.from]!;
    const lastShown = h.ts[w.to - 1]!;
    if (ts <= first) return (ts - first) / tf;
    if (ts >= lastShown) return w.shown - 1 + (ts - lastShown) / tf;
    let lo = w.from;
    let hi = w.to - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (h.ts[mid]! <= ts) lo = mid;
      else hi = mid;
    }
    const a = h.ts[lo]!;
    const b = h.ts[hi]!;
    return lo - w.from + (b > a ? (ts - a) / (b - a) : 0);
  }

  private logicalToTime(l: number): number | undefined {
    const h = this.history;
    const tf = this.tfMs;
    const w = this.window;
    if (!h || !tf || w.shown === 0) return undefined;
    if (l <= 0) return h.ts[w.from]! + l * tf;
    if (l >= w.shown - 1) return h.ts[w.to - 1]! + (l - (w.shown - 1)) * tf;
    const i = Math.floor(l);
    const a = h.ts[w.from + i]!;
    const b = h.ts[w.from + i + 1]!;
    return a + (l - i) * (b - a);
  }

  /** Draws `p` in the price pane with the candles (drawings); the returned function takes it away. */
  addPrimitive(p: ISeriesPrimitive<Time>): () => void {
    this.candles.attachPrimitive(p);
    return () => this.candles.detachPrimitive(p);
  }

  /** Lets the chart scroll and zoom with the mouse, or not (while a line or a drawing is dragged). */
  setPanning(on: boolean): void {
    this.chart.applyOptions({ handleScroll: on, handleScale: on });
  }

  /** The first bar time in hand (older pages may still be in the store). */
  firstBarTime(): number | undefined {
    return this.history?.ts[0];
  }

  /**
   * The view on the bar holding `ts` (a trade clicked in a backtest), the window moved to
   * show it. False when `ts` is before the bars in hand (older pages are asked for first).
   */
  revealTime(ts: number): boolean {
    const h = this.history;
    if (!h || h.ts.length === 0 || ts < h.ts[0]!) return false;
    let i = 0;
    let hi = h.ts.length - 1;
    while (i < hi) {
      const mid = (i + hi + 1) >>> 1;
      if (h.ts[mid]! <= ts) i = mid;
      else hi = mid - 1;
    }
    const move = (): boolean => {
      let moved = false;
      while (i < this.window.from && this.window.showOlder()) moved = true;
      while (i >= this.window.to && this.window.showNewer()) moved = true;
      return moved;
    };
    this.moveWindow(move);
    const at = i - this.window.from;
    const range = this.chart.timeScale().getVisibleLogicalRange();
    const half = range ? Math.max(20, (range.to - range.from) / 2) : 60;
    this.chart.timeScale().setVisibleLogicalRange({ from: at - half, to: at + half });
    return true;
  }
}

/** The last value a series has (what the legend shows without a crosshair). */
function lastFinite(values: (number | null)[]): number | undefined {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) return v;
  }
  return undefined;
}

/** A line series' colour, style and width from the trader's settings (a stable palette colour otherwise). */
function lineStyleOf(style: IndicatorStyle, k: number): { color: string; lineStyle: LineStyle; lineWidth: 1 | 2 | 3 | 4 } {
  return {
    color: style.colors?.[k] ?? palette.series[k % palette.series.length]!,
    lineStyle: LINE_STYLE[style.lineStyle ?? 'solid'],
    lineWidth: Math.min(4, Math.max(1, style.lineWidth ?? 1)) as 1 | 2 | 3 | 4,
  };
}

function patternMarker(ts: number): SeriesMarker<Time> {
  return { time: toChartTime(ts), position: 'aboveBar', shape: 'circle', color: palette.series[2], size: 0.6 };
}

/** Enough decimals for the smallest price in view to show its movement. */
function priceDecimalsOf(close: number[]): number {
  if (close.length === 0) return 2;
  const p = Math.abs(close[close.length - 1]!);
  if (p >= 1000) return 2;
  if (p >= 1) return 4;
  if (p === 0) return 2;
  return Math.min(10, 4 - Math.floor(Math.log10(p)));
}
