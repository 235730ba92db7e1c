import type { SeriesMarker, UTCTimestamp } from 'lightweight-charts';
import type { BacktestTradeDto, Fill } from '../../../engine/protocol';
import { barOpen } from '../lib/timeframe';
import { fmtQty } from '../lib/format';
import { ledgerColor } from '../store/desk';
import { palette } from '../theme';
import { toChartTime } from './bars';

type Marker = SeriesMarker<UTCTimestamp>;

/** Entries and exits of a backtest's trades, placed on the bars they happened in. */
export function tradeMarkers(trades: BacktestTradeDto[], timeframe: string): Marker[] {
  const out: Marker[] = [];
  for (const t of trades) {
    const long = t.side === 'buy';
    out.push({
      time: toChartTime(barOpen(t.entryTime, timeframe)),
      position: long ? 'belowBar' : 'aboveBar',
      shape: long ? 'arrowUp' : 'arrowDown',
      color: long ? palette.up : palette.down,
      text: long ? 'L' : 'S',
    });
    out.push({
      time: toChartTime(barOpen(t.exitTime, timeframe)),
      position: long ? 'aboveBar' : 'belowBar',
      shape: 'circle',
      color: t.pnl >= 0 ? palette.up : palette.down,
      text: 'x',
      size: 0.7,
    });
  }
  return sortMarkers(out);
}

/**
 * Live and paper fills of one symbol as squares at their price: the trader's own in buy and
 * sell colours, each strategy's in its ledger's colour and named. A fill stamped later than
 * the chart's last bar sits on the bar it was seen with (`seenOn`, fill id -> bar open ms)
 * or is left out: it cannot be drawn at a time the chart does not have.
 */
export function fillMarkers(fills: Fill[], symbol: string, timeframe: string, seenOn: ReadonlyMap<string, number> = new Map(), lastBarTs?: number): Marker[] {
  const out: Marker[] = [];
  for (const f of fills) {
    if (f.symbol !== symbol) continue;
    const at = seenOn.get(f.id) ?? barOpen(f.ts, timeframe);
    const strategy = f.ledger !== undefined && f.ledger !== 'manual';
    if (lastBarTs !== undefined && at > lastBarTs) continue;
    out.push({
      time: toChartTime(at),
      position: 'atPriceMiddle',
      price: f.price,
      shape: 'square',
      color: strategy ? ledgerColor(f.ledger) : f.side === 'buy' ? palette.accent : palette.warn,
      // A strategy's fills say only B or S: its colour names it, and a busy one would bury the bars in labels.
      text: strategy ? (f.side === 'buy' ? 'B' : 'S') : `${f.side === 'buy' ? 'B' : 'S'} ${fmtQty(f.qty)}`,
      size: 0.8,
    });
  }
  return sortMarkers(out);
}

/** The plugin wants markers in time order. */
export function sortMarkers(m: Marker[]): Marker[] {
  return m.sort((a, b) => a.time - b.time);
}
