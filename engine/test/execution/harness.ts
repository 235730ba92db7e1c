// A real order path for tests: SimulatedClock, Account, SimulatedVenue and OrderManager.
import { SimulatedClock } from '../../src/core/clock';
import { SequentialIds } from '../../src/core/ids';
import { OrderManager } from '../../src/execution/order-manager';
import { SimulatedVenue, type SimulatedVenueOptions } from '../../src/execution/simulated-venue';
import { NO_JOURNAL, NO_RISK, type OrderEvent, type OrderJournal, type PreTradeRisk, type VenueCallbacks, type VenueCapabilities } from '../../src/execution/types';
import { Account } from '../../src/model/account';
import type { Bar } from '../../src/model/bar';
import { researchInstrument } from '../../src/model/instrument';

export const SYM = 'BTC/USD';

/** A venue that neither amends nor keeps orders across restarts: cancel-replace is how its orders change. */
export const NO_AMEND: VenueCapabilities = { amend: false, persistent: false };

/** Venue callbacks with no-ops for the reports a test does not look at. */
export function callbacks(some: Partial<VenueCallbacks>): VenueCallbacks {
  const none = () => {};
  return { accepted: none, rejected: none, cancelled: none, expired: none, filled: none, modified: none, modifyRejected: none, cancelRejected: none, connection: none, ...some };
}
const MIN = 60_000;

export function harness(opts: SimulatedVenueOptions & { capital?: number; risk?: PreTradeRisk; journal?: OrderJournal } = {}) {
  const clock = new SimulatedClock(Date.UTC(2024, 0, 1));
  const account = new Account(opts.capital ?? 100_000);
  const venue = new SimulatedVenue(clock, { ...opts, positionOf: (s) => account.position(s).qty });
  const om = new OrderManager(clock, new SequentialIds(), opts.risk ?? NO_RISK, opts.journal ?? NO_JOURNAL, venue, account, [researchInstrument(SYM)]);
  const events: OrderEvent[] = [];
  om.onEvent((e) => events.push(e));
  let t = clock.now();
  /** Feeds the next 1-minute bar, as the backtest loop does. */
  const bar = (open: number, high: number, low: number, close: number): Bar => {
    const b: Bar = { ts: t, open, high, low, close, volume: 1 };
    clock.set(t + MIN);
    om.onBar(SYM, b);
    t += MIN;
    return b;
  };
  const fills = () => events.flatMap((e) => (e.kind === 'filled' || e.kind === 'partially_filled' ? [e.fill] : []));
  return { clock, account, venue, om, events, bar, fills };
}
