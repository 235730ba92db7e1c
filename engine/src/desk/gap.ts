/**
 * The gap report: a strategy's forward trades (paper now, live later) against a backtest of
 * the same strategy, parameters and bars over the same period, trade by trade, with the PnL
 * difference split into causes that add up to it exactly:
 *
 *   forward PnL − backtest PnL = entry prices + exit prices + sizes + fees
 *                                + missed trades + extra trades + positions still open
 *
 * For a matched pair of trades (same side, entries close in time) with direction d, quantity
 * q, entry e, exit x and fees F (forward f, backtest b):
 *   pnl_f − pnl_b = −d·q_f·(e_f − e_b)        entry price (slippage beyond the model, latency)
 *                 + d·q_f·(x_f − x_b)         exit price
 *                 + d·(q_f − q_b)·(x_b − e_b) size (partial fills, cash)
 *                 − (F_f − F_b)               fees
 * A backtest trade with no forward match is missed (−pnl_b); a forward trade with none is
 * extra (+pnl_f). Signals (orders the strategy placed, by bar) are compared too, so a missed
 * trade can be told apart from a signal that never came.
 */
import type { RoundTrip } from '../backtest/round-trips';
import type { GapCauses, GapReport, Signal, SignalGap, TradeGap } from '../model/gap';

export type { GapCauses, GapReport, Signal, SignalGap, TradeGap };

export interface GapInput {
  forward: { trades: readonly RoundTrip[]; signals: readonly Signal[]; openPnl: number; fees: number };
  backtest: { trades: readonly RoundTrip[]; signals: readonly Signal[]; openPnl: number; fees: number };
  /** Bar length: entries this close (two bars) are the same trade taken late or early. */
  barMs: number;
}

const zero = (): GapCauses => ({ entryPrice: 0, exitPrice: 0, size: 0, fees: 0, missed: 0, extra: 0, open: 0 });

function add(into: GapCauses, c: GapCauses): void {
  for (const k of Object.keys(into) as (keyof GapCauses)[]) into[k] += c[k];
}

/** The trades and signals of two runs of one strategy over the same bars, compared. */
export function gapReport(input: GapInput): GapReport {
  const { forward: f, backtest: b } = input;
  const window = 2 * input.barMs;
  const fwd = [...f.trades].sort((x, y) => x.entryTime - y.entryTime);
  const used = new Set<number>();
  const trades: TradeGap[] = [];
  const totals = zero();

  for (const bt of [...b.trades].sort((x, y) => x.entryTime - y.entryTime)) {
    let best = -1;
    for (let i = 0; i < fwd.length; i++) {
      if (used.has(i) || fwd[i]!.side !== bt.side) continue;
      const dt = Math.abs(fwd[i]!.entryTime - bt.entryTime);
      if (dt <= window && (best < 0 || dt < Math.abs(fwd[best]!.entryTime - bt.entryTime))) best = i;
    }
    if (best < 0) {
      const causes = { ...zero(), missed: -bt.pnl };
      add(totals, causes);
      const placed = b.signals.some((s) => s.side === bt.side && Math.abs(s.ts - bt.entryTime) <= window) && f.signals.some((s) => s.side === bt.side && Math.abs(s.ts - bt.entryTime) <= window);
      trades.push({ kind: 'missed', side: bt.side, backtest: bt, pnlDiff: -bt.pnl, causes, note: placed ? 'the forward run placed the order but it did not fill as in the backtest' : 'the forward run placed no order for it: the signal differed' });
      continue;
    }
    used.add(best);
    const ft = fwd[best]!;
    const d = ft.side === 'buy' ? 1 : -1;
    const causes: GapCauses = {
      ...zero(),
      entryPrice: -d * ft.qty * (ft.entryPrice - bt.entryPrice),
      exitPrice: d * ft.qty * (ft.exitPrice - bt.exitPrice),
      size: d * (ft.qty - bt.qty) * (bt.exitPrice - bt.entryPrice),
      fees: -(ft.fees - bt.fees),
    };
    add(totals, causes);
    trades.push({
      kind: 'matched',
      side: ft.side,
      forward: ft,
      backtest: bt,
      entryDelayMs: ft.entryTime - bt.entryTime,
      exitDelayMs: ft.exitTime - bt.exitTime,
      entrySlippage: d * (ft.entryPrice - bt.entryPrice),
      exitSlippage: -d * (ft.exitPrice - bt.exitPrice),
      pnlDiff: ft.pnl - bt.pnl,
      causes,
    });
  }
  fwd.forEach((ft, i) => {
    if (used.has(i)) return;
    const causes = { ...zero(), extra: ft.pnl };
    add(totals, causes);
    trades.push({ kind: 'extra', side: ft.side, forward: ft, pnlDiff: ft.pnl, causes, note: 'the backtest took no trade here' });
  });
  totals.open = f.openPnl - b.openPnl;
  trades.sort((x, y) => (x.backtest ?? x.forward)!.entryTime - (y.backtest ?? y.forward)!.entryTime);

  const forwardPnl = f.trades.reduce((s, t) => s + t.pnl, 0) + f.openPnl;
  const backtestPnl = b.trades.reduce((s, t) => s + t.pnl, 0) + b.openPnl;
  return {
    forwardPnl,
    backtestPnl,
    difference: forwardPnl - backtestPnl,
    causes: totals,
    trades,
    signals: { forward: f.signals.length, backtest: b.signals.length, differing: differingSignals(f.signals, b.signals, input.barMs) },
    counts: { matched: trades.filter((t) => t.kind === 'matched').length, missed: trades.filter((t) => t.kind === 'missed').length, extra: trades.filter((t) => t.kind === 'extra').length },
  };
}

/**
 * Orders one run placed and the other did not, matched one for one by side and type within a
 * bar of each other: an order placed on a fill report is stamped with the strategy's last bar
 * forward, and with the bar being matched in a backtest, so the same decision can be a bar apart.
 */
function differingSignals(f: readonly Signal[], b: readonly Signal[], barMs: number): SignalGap[] {
  const fs = [...f].sort((x, y) => x.ts - y.ts);
  const bs = [...b].sort((x, y) => x.ts - y.ts);
  const taken = new Uint8Array(bs.length);
  const out: SignalGap[] = [];
  let lo = 0;
  for (const s of fs) {
    while (lo < bs.length && bs[lo]!.ts < s.ts - barMs) lo++;
    let hit = -1;
    for (let i = lo; i < bs.length && bs[i]!.ts <= s.ts + barMs; i++) {
      if (!taken[i] && bs[i]!.side === s.side && bs[i]!.type === s.type) {
        hit = i;
        break;
      }
    }
    if (hit >= 0) taken[hit] = 1;
    else out.push({ ...s, only: 'forward' });
  }
  bs.forEach((s, i) => {
    if (!taken[i]) out.push({ ...s, only: 'backtest' });
  });
  return out.sort((x, y) => x.ts - y.ts);
}
