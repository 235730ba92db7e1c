import { Account } from '../../src/model/account';
import { researchInstrument } from '../../src/model/instrument';
import type { OrderEvent, PreTradeRisk } from '../../src/execution/types';
import { NO_RISK } from '../../src/execution/types';
import { PaperSession, type PaperSessionOptions } from '../../src/execution/paper/paper-session';
import type { EmulatorRecord } from '../../src/execution/emulator/types';

export const SYMBOL = 'BTC/USDT';

/** A replay session on 5-minute bars with every order event and emulator record written down. */
export function sessionRig(opts: { seed?: number; risk?: PreTradeRisk; start?: number; venue?: Partial<PaperSessionOptions['venue']>; emulateTrailingStops?: boolean } = {}) {
  const s = PaperSession.replay({
    risk: opts.risk ?? NO_RISK,
    account: new Account(1_000_000, 'USDT'),
    instruments: [researchInstrument(SYMBOL)],
    timeframe: '5m',
    venue: { seed: opts.seed ?? 42, ...opts.venue },
    start: opts.start ?? 0,
    emulateTrailingStops: opts.emulateTrailingStops,
  });
  const events: OrderEvent[] = [];
  const records: EmulatorRecord[] = [];
  s.orders.onEvent((e) => events.push(e));
  s.emulator.onRecord((r) => records.push(r));
  const fills = () => events.filter((e): e is Extract<OrderEvent, { kind: 'filled' | 'partially_filled' }> => e.kind === 'filled' || e.kind === 'partially_filled');
  const last = (orderId: string) => [...events].reverse().find((e) => e.kind !== 'denied' && e.order.id === orderId);
  const statusOf = (orderId: string) => {
    const e = last(orderId);
    return e && e.kind !== 'denied' ? e.order.status : undefined;
  };
  const ordersWith = (pred: (o: Exclude<OrderEvent, { kind: 'denied' }>['order']) => boolean) => {
    const latest = new Map<string, Exclude<OrderEvent, { kind: 'denied' }>['order']>();
    for (const e of events) if (e.kind !== 'denied') latest.set(e.order.id, e.order);
    return [...latest.values()].filter(pred);
  };
  return { s, events, records, fills, statusOf, ordersWith };
}
