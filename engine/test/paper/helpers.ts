import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimulatedClock } from '../../src/core/clock';
import type { Bar } from '../../src/model/bar';
import { Order, type OrderRequest } from '../../src/model/order';
import type { VenueCallbacks } from '../../src/execution/types';
import { callbacks as withDefaults } from '../execution/harness';
import { PaperVenue, type PaperVenueOptions } from '../../src/execution/paper/paper-venue';
import { SimulatedScheduler } from '../../src/core/scheduler';

export const BAR_MS = 300_000;

/** The real BTC/USDT 5-minute slice in engine/test/fixtures/paper. */
export function loadBars(): Bar[] {
  const path = fileURLToPath(new URL('../fixtures/paper/btc-usdt-5m-2023-01-13.csv', import.meta.url));
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  if (header !== 'timestamp,open,high,low,close,volume') throw new Error(`unexpected header ${header}`);
  return lines.map((l) => {
    const [ts, open, high, low, close, volume] = l.split(',').map(Number) as [number, number, number, number, number, number];
    return { ts, open, high, low, close, volume };
  });
}

export type Report =
  | { kind: 'accepted'; id: string; ts: number; venueOrderId: string | undefined }
  | { kind: 'rejected'; id: string; ts: number; reason: string }
  | { kind: 'cancelled'; id: string; ts: number; reason: string | undefined }
  | { kind: 'expired'; id: string; ts: number }
  | { kind: 'modified'; id: string; ts: number }
  | { kind: 'modify_rejected'; id: string; ts: number; reason: string }
  /** `ts`: when the fill executed; `at`: when its report reached the engine. */
  | { kind: 'filled'; id: string; ts: number; at: number; qty: number; price: number; fee: number; liquidity: 'maker' | 'taker'; venueTradeId?: string };

/** A venue on a simulated clock with every report it sends written down. */
export function venueRig(opts: Omit<PaperVenueOptions, 'scheduler'>, start = 0) {
  const clock = new SimulatedClock(start);
  const scheduler = new SimulatedScheduler(clock);
  const venue = new PaperVenue({ ...opts, scheduler });
  const reports: Report[] = [];
  const callbacks: VenueCallbacks = withDefaults({
    accepted: (id, ts, venueOrderId) => reports.push({ kind: 'accepted', id, ts, venueOrderId }),
    rejected: (id, reason, ts) => reports.push({ kind: 'rejected', id, ts, reason }),
    cancelled: (id, ts, reason) => reports.push({ kind: 'cancelled', id, ts, reason }),
    expired: (id, ts) => reports.push({ kind: 'expired', id, ts }),
    filled: (id, f) => reports.push({ kind: 'filled', id, ...f, at: clock.now() }),
    modified: (id, ts) => reports.push({ kind: 'modified', id, ts }),
    modifyRejected: (id, reason, ts) => reports.push({ kind: 'modify_rejected', id, ts, reason }),
  });
  venue.connect(callbacks);
  let n = 0;
  const submit = (req: Partial<OrderRequest> & Pick<OrderRequest, 'side' | 'type'>): Order => {
    n += 1;
    const o = new Order(`o${n}`, `c${n}`, { symbol: 'BTC/USDT', ...req }, clock.now());
    venue.submit(o);
    return o;
  };
  /** Delivers a bar at its close, as a feed would. */
  const bar = (b: Bar, symbol = 'BTC/USDT'): void => {
    scheduler.advanceTo(Math.max(b.ts + BAR_MS, clock.now()));
    venue.onBar(symbol, b);
  };
  const fills = (id?: string) => reports.filter((r): r is Extract<Report, { kind: 'filled' }> => r.kind === 'filled' && (id === undefined || r.id === id));
  return { clock, scheduler, venue, reports, submit, bar, fills };
}

/** A synthetic bar at `ts` for rule tests where exact prices matter. */
export function mkBar(ts: number, open: number, high: number, low: number, close: number, volume = 1e9): Bar {
  return { ts, open, high, low, close, volume };
}
