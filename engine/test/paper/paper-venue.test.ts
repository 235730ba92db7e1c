import { describe, expect, it } from 'vitest';
import { KeelError } from '../../src/core/errors';
import { BAR_MS, loadBars, mkBar, venueRig } from './helpers';

const bars = loadBars();
const T0 = 1_700_000_000_000; // synthetic bars start here, aligned to 5 minutes
const at = (i: number): number => T0 + i * BAR_MS;

describe('paper venue: latency', () => {
  it('acknowledges at submit time + a fixed latency; a fill is stamped when it executed and reported a latency after the bar close', () => {
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 120 } }, at(1));
    rig.submit({ side: 'buy', type: 'market', qty: 1 });
    rig.scheduler.advanceTo(at(1) + 119);
    expect(rig.reports).toEqual([]);
    rig.scheduler.advanceTo(at(1) + 120);
    expect(rig.reports).toEqual([{ kind: 'accepted', id: 'o1', ts: at(1) + 120, venueOrderId: 'paper-1' }]);
    rig.bar(mkBar(at(1), 100, 101, 99, 100));
    expect(rig.fills()).toEqual([]); // the report is still on its way
    rig.scheduler.advanceTo(at(2) + 119);
    expect(rig.fills()).toEqual([]);
    rig.scheduler.advanceTo(at(2) + 120);
    // It went live 120 ms into the bar it traded in: not stamped before it existed at the venue.
    expect(rig.fills().map((f) => [f.ts, f.at])).toEqual([[at(1) + 120, at(2) + 120]]);
  });

  it('never reports anything before submit time + the least latency, with uniform 50-200 ms draws', () => {
    const rig = venueRig({ seed: 7, maxVolumeShare: null }, bars[0]!.ts + BAR_MS);
    const submittedAt = new Map<string, number>();
    for (let i = 1; i < 60; i++) {
      const o = rig.submit({ side: i % 2 ? 'buy' : 'sell', type: 'market', qty: 0.01 });
      submittedAt.set(o.id, rig.clock.now());
      rig.bar(bars[i]!);
    }
    rig.scheduler.drain();
    const acks = rig.reports.filter((r) => r.kind === 'accepted');
    expect(acks).toHaveLength(59);
    const lat = acks.map((a) => a.ts - submittedAt.get(a.id)!);
    expect(Math.min(...lat)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...lat)).toBeLessThanOrEqual(200);
    expect(new Set(lat).size).toBeGreaterThan(10); // drawn, not constant
    for (const f of rig.fills()) expect(f.ts).toBeGreaterThanOrEqual(submittedAt.get(f.id)! + 50);
    // One ordered channel: reports never come out of time order.
    const ts = rig.reports.map((r) => r.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  });

  it('draws lognormal latencies with a cap', () => {
    const rig = venueRig({ seed: 3, latency: { kind: 'lognormal', medianMs: 80, sigma: 0.8, maxMs: 400 } }, at(0));
    for (let i = 0; i < 200; i++) rig.submit({ side: 'buy', type: 'limit', price: 1, qty: 1 });
    rig.scheduler.drain();
    // The channel is ordered, so each ack is at least the previous one; the gaps are bounded by the cap.
    const acks = rig.reports.map((r) => r.ts - at(0));
    expect(Math.max(...acks)).toBeLessThanOrEqual(400);
    expect(Math.min(...acks)).toBeGreaterThan(0);
  });
});

describe('paper venue: fill rules per order type', () => {
  const slip = 5 / 10_000;
  const fresh = () => venueRig({ seed: 1, latency: { kind: 'fixed', ms: 100 } }, at(0));

  it('market: next bar open, 5 bps against the order, taker fee 0.26%', () => {
    const rig = fresh();
    rig.submit({ side: 'buy', type: 'market', qty: 2 });
    rig.submit({ side: 'sell', type: 'market', qty: 1 });
    rig.bar(mkBar(at(0), 100, 110, 90, 105));
    rig.scheduler.drain();
    const [b, s] = rig.fills();
    expect(b!.price).toBeCloseTo(100 * (1 + slip), 10);
    expect(s!.price).toBeCloseTo(100 * (1 - slip), 10);
    expect(b!.liquidity).toBe('taker');
    expect(b!.fee).toBeCloseTo(2 * b!.price * 0.0026, 10);
  });

  it('limit: a resting buy fills at its price as maker when the range touches it; not before', () => {
    const rig = fresh();
    rig.submit({ side: 'buy', type: 'limit', price: 95, qty: 1 });
    rig.bar(mkBar(at(0), 100, 101, 95.5, 100)); // misses
    rig.bar(mkBar(at(1), 100, 101, 94, 96)); // touches
    rig.scheduler.drain();
    expect(rig.fills()).toMatchObject([{ price: 95, liquidity: 'maker', ts: at(1), at: at(2) + 100 }]);
    expect(rig.fills()[0]!.fee).toBeCloseTo(95 * 0.0026, 12);
  });

  it('limit: marketable on arrival is a taker at the open (never worse than the limit)', () => {
    const rig = fresh();
    rig.submit({ side: 'sell', type: 'limit', price: 95, qty: 1 });
    rig.bar(mkBar(at(0), 100, 101, 99, 100));
    rig.scheduler.drain();
    expect(rig.fills()).toMatchObject([{ price: 100, liquidity: 'taker' }]);
  });

  it('stop: triggers at the stop and fills with slippage; gaps fill at the open', () => {
    const rig = fresh();
    rig.submit({ side: 'sell', type: 'stop', stopPrice: 95, qty: 1 });
    rig.submit({ side: 'buy', type: 'stop', stopPrice: 104, qty: 1 });
    rig.bar(mkBar(at(0), 100, 103, 96, 100)); // neither
    rig.bar(mkBar(at(1), 100, 106, 94, 100)); // both, at their stops
    rig.submit({ side: 'buy', type: 'stop', stopPrice: 101, qty: 1 });
    rig.bar(mkBar(at(2), 100, 100.5, 99, 100));
    rig.bar(mkBar(at(3), 103, 104, 102, 103)); // gaps through 101
    rig.scheduler.drain();
    const f = rig.fills();
    expect(f.map((x) => x.id)).toEqual(['o1', 'o2', 'o3']);
    expect(f[0]!.price).toBeCloseTo(95 * (1 - slip), 10);
    expect(f[1]!.price).toBeCloseTo(104 * (1 + slip), 10);
    expect(f[2]!.price).toBeCloseTo(103 * (1 + slip), 10);
    expect(f.every((x) => x.liquidity === 'taker')).toBe(true);
  });

  it('stop-limit: fills on trigger when within the limit, else rests as a maker limit', () => {
    const rig = fresh();
    rig.submit({ side: 'buy', type: 'stop_limit', stopPrice: 104, price: 105, qty: 1 }); // within limit on trigger
    rig.submit({ side: 'buy', type: 'stop_limit', stopPrice: 104, price: 103, qty: 1 }); // triggers above its limit
    rig.bar(mkBar(at(0), 100, 106, 99, 105));
    rig.scheduler.advanceTo(at(1) + 1000);
    expect(rig.fills().map((f) => f.id)).toEqual(['o1']);
    expect(rig.fills()[0]!.price).toBeCloseTo(104 * (1 + slip), 10);
    rig.bar(mkBar(at(1), 105, 106, 102.5, 103));
    rig.scheduler.drain();
    expect(rig.fills('o2')).toMatchObject([{ price: 103, liquidity: 'maker' }]);
  });

  it('trailing stop (native): follows the highest price, triggers on the pullback by the trail', () => {
    const rig = fresh();
    rig.submit({ side: 'sell', type: 'trailing_stop', trailingPercent: 0.05, qty: 1 });
    rig.bar(mkBar(at(0), 100, 110, 99, 108)); // best 110 -> level 104.5
    rig.bar(mkBar(at(1), 108, 120, 105, 118)); // 105 > 104.5: no trigger; best 120 -> 114
    rig.bar(mkBar(at(2), 118, 119, 115, 116)); // no trigger
    expect(rig.fills()).toEqual([]);
    rig.bar(mkBar(at(3), 116, 117, 110, 111)); // low 110 <= 114: triggers at 114
    rig.scheduler.drain();
    expect(rig.fills()).toHaveLength(1);
    expect(rig.fills()[0]!.price).toBeCloseTo(120 * 0.95 * (1 - slip), 9);
  });

  it('trailing stop by amount on the buy side follows the lowest price', () => {
    const rig = fresh();
    rig.submit({ side: 'buy', type: 'trailing_stop', trailingAmount: 3, qty: 1 });
    rig.bar(mkBar(at(0), 100, 101, 95, 96)); // best 95 -> 98
    rig.bar(mkBar(at(1), 96, 97.5, 90, 91)); // 97.5 < 98; best 90 -> 93
    rig.bar(mkBar(at(2), 91, 94, 90.5, 93)); // 94 >= 93: trigger
    rig.scheduler.drain();
    expect(rig.fills()[0]!.price).toBeCloseTo(93 * (1 + slip), 9);
  });

  it('rejects what it cannot work, with a reason', () => {
    const rig = fresh();
    rig.submit({ side: 'buy', type: 'trailing_stop', qty: 1 });
    rig.submit({ side: 'buy', type: 'stop', tif: 'IOC', stopPrice: 1, qty: 1 });
    rig.scheduler.drain();
    expect(rig.reports.map((r) => r.kind)).toEqual(['rejected', 'rejected']);
    expect((rig.reports[0] as { reason: string }).reason).toMatch(/trailingPercent/);
  });
});

describe('paper venue: fees, volume and time in force', () => {
  it('charges maker and taker fees separately', () => {
    const rig = venueRig({ seed: 1, makerFee: 0.001, takerFee: 0.004, latency: { kind: 'fixed', ms: 10 } }, at(0));
    rig.submit({ side: 'buy', type: 'limit', price: 95, qty: 2 });
    rig.submit({ side: 'buy', type: 'market', qty: 2 });
    rig.bar(mkBar(at(0), 100, 100, 99, 99));
    rig.bar(mkBar(at(1), 99, 99, 94, 95));
    rig.scheduler.drain();
    const m = rig.fills('o1')[0]!;
    const t = rig.fills('o2')[0]!;
    expect(m.liquidity).toBe('maker');
    expect(m.fee).toBeCloseTo(2 * 95 * 0.001, 12);
    expect(t.liquidity).toBe('taker');
    expect(t.fee).toBeCloseTo(2 * t.price * 0.004, 12);
  });

  it('fills at most 10% of each bar volume across all orders on the symbol; the rest works on later bars (market too)', () => {
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 100 } }, bars[0]!.ts + BAR_MS);
    const want = 0.1 * (bars[1]!.volume + bars[2]!.volume) + 5; // needs three bars
    rig.submit({ side: 'buy', type: 'market', qty: want });
    rig.submit({ side: 'sell', type: 'market', qty: 1 }); // queued behind the first: gets nothing until it is done
    for (let i = 1; i <= 4; i++) rig.bar(bars[i]!);
    rig.scheduler.drain();
    const f1 = rig.fills('o1');
    expect(f1.map((f) => f.qty)).toEqual([0.1 * bars[1]!.volume, 0.1 * bars[2]!.volume, want - 0.1 * bars[1]!.volume - 0.1 * bars[2]!.volume].map((x) => expect.closeTo(x, 9)));
    expect(f1.map((f) => f.price)).toEqual([1, 2, 3].map((i) => expect.closeTo(bars[i]!.open * 1.0005, 9)));
    expect(rig.fills('o2')).toHaveLength(1);
    expect(rig.fills('o2')[0]!.price).toBeCloseTo(bars[3]!.open * 0.9995, 9); // shares bar 3 with o1's last part
    expect(f1.reduce((s, f) => s + f.qty, 0)).toBeCloseTo(want, 9);
  });

  it('rounds partial fills down to the lot', () => {
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 1 }, lotSize: () => 0.001 }, at(0));
    rig.submit({ side: 'buy', type: 'market', qty: 5 });
    rig.bar(mkBar(at(0), 100, 100, 100, 100, 12.34567));
    rig.scheduler.drain();
    expect(rig.fills()[0]!.qty).toBe(1.234);
  });

  it('IOC keeps what fills on its first bar and cancels the rest; FOK fills all or nothing', () => {
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 1 } }, at(0));
    rig.submit({ side: 'buy', type: 'market', qty: 5, tif: 'IOC' });
    rig.submit({ side: 'buy', type: 'limit', price: 100, qty: 1, tif: 'FOK' });
    rig.bar(mkBar(at(0), 100, 100, 100, 100, 30)); // capacity 3
    rig.scheduler.drain();
    expect(rig.fills().map((f) => [f.id, f.qty])).toEqual([['o1', 3]]);
    expect(rig.reports.filter((r) => r.kind === 'cancelled').map((r) => r.id).sort()).toEqual(['o1', 'o2']);
  });

  it('a quote-sized market order fills whole, sized at its fill price with the fee included', () => {
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 1 } }, at(0));
    rig.submit({ side: 'buy', type: 'market', quoteQty: 1000 });
    rig.bar(mkBar(at(0), 100, 100, 100, 100, 10)); // volume cap would allow 1
    rig.scheduler.drain();
    const f = rig.fills()[0]!;
    expect(f.qty * f.price + f.fee).toBeCloseTo(1000, 9);
  });

  it('reduce-only orders never open or flip a position, counting fills not yet reported', () => {
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 10 }, positionOf: () => 1 }, at(0));
    rig.submit({ side: 'sell', type: 'market', qty: 0.75, reduceOnly: true });
    rig.submit({ side: 'sell', type: 'market', qty: 3, reduceOnly: true }); // only 0.25 left to reduce
    rig.submit({ side: 'buy', type: 'limit', price: 100, qty: 1, reduceOnly: true }); // would grow a long
    rig.bar(mkBar(at(0), 100, 100, 100, 100));
    rig.scheduler.drain();
    expect(rig.fills().map((f) => [f.id, f.qty])).toEqual([
      ['o1', 0.75],
      ['o2', 0.25],
    ]);
    expect(rig.reports.filter((r) => r.kind === 'cancelled').map((r) => [r.id, (r as { reason: string }).reason])).toEqual([
      ['o2', 'reduce-only: position closed'],
      ['o3', 'reduce-only: no position left to reduce'],
    ]);
  });

  it('DAY orders expire at the end of the UTC day', () => {
    const day = 86_400_000 * 19_700;
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 1 } }, day + 3_600_000);
    rig.submit({ side: 'buy', type: 'limit', price: 1, qty: 1, tif: 'DAY' });
    rig.bar(mkBar(day + 3_600_000, 100, 100, 100, 100));
    rig.bar(mkBar(day + 86_400_000, 100, 100, 100, 100));
    rig.scheduler.drain();
    expect(rig.reports.map((r) => r.kind)).toEqual(['accepted', 'expired']);
  });
});

describe('paper venue: cancels and OCO on one bar', () => {
  it('a cancel lands after the acknowledgement (one ordered channel); one after a full fill is too late', () => {
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 100 } }, at(0));
    const a = rig.submit({ side: 'buy', type: 'limit', price: 1, qty: 1 });
    rig.venue.cancel(a);
    const b = rig.submit({ side: 'buy', type: 'market', qty: 1 });
    rig.bar(mkBar(at(0), 100, 100, 100, 100));
    rig.venue.cancel(b); // b has matched at the venue; its fill report is on the way
    rig.scheduler.drain();
    expect(rig.reports.map((r) => `${r.kind}:${r.id}`)).toEqual(['accepted:o1', 'cancelled:o1', 'accepted:o2', 'filled:o2']);
  });

  it('when a stop and a target of one OCO group both trade inside one bar, only the stop fills and it is recorded', () => {
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 100 } }, at(0));
    rig.submit({ side: 'sell', type: 'limit', price: 110, qty: 1, ocoGroup: 'g' });
    rig.submit({ side: 'sell', type: 'stop', stopPrice: 95, qty: 1, ocoGroup: 'g' });
    rig.submit({ side: 'sell', type: 'limit', price: 110, qty: 1 }); // not in the group: fills as usual
    rig.bar(mkBar(at(0), 100, 100.5, 99.5, 100));
    rig.bar(mkBar(at(1), 100, 111, 94, 100));
    rig.scheduler.drain();
    expect(rig.fills().map((f) => f.id)).toEqual(['o2', 'o3']);
    expect(rig.venue.ocoResolutions).toEqual([{ ts: at(2), symbol: 'BTC/USDT', ocoGroup: 'g', filled: 'o2', skipped: ['o1'], rule: 'stop_first' }]);
    expect(rig.venue.workingIds()).toEqual(['o1']); // left for the emulator to cancel
  });

  it('trade prints drive matching once a symbol has them; its bars then fill nothing', () => {
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 10 }, maxVolumeShare: 0.5 }, at(0));
    rig.submit({ side: 'buy', type: 'market', qty: 1 });
    rig.scheduler.advanceTo(at(0) + 20);
    rig.venue.onTrade('BTC/USDT', { ts: at(0) + 20, price: 100, amount: 1, side: 'sell' });
    rig.scheduler.advanceTo(at(0) + 40);
    rig.venue.onTrade('BTC/USDT', { ts: at(0) + 40, price: 101, amount: 4, side: 'buy' });
    rig.bar(mkBar(at(0), 99, 102, 98, 101, 1000));
    rig.scheduler.drain();
    expect(rig.fills().map((f) => [f.qty, f.price])).toEqual([
      [0.5, expect.closeTo(100 * 1.0005, 9)],
      [0.5, expect.closeTo(101 * 1.0005, 9)],
    ]);
  });

  it('on prints, a resting limit fills at its own price when the market trades through it', () => {
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 10 }, maxVolumeShare: null }, at(0));
    rig.submit({ side: 'buy', type: 'limit', price: 99, qty: 1 });
    rig.scheduler.advanceTo(at(0) + 20);
    rig.venue.onTrade('BTC/USDT', { ts: at(0) + 20, price: 100, amount: 1, side: 'buy' });
    rig.venue.onTrade('BTC/USDT', { ts: at(0) + 20, price: 98.5, amount: 1, side: 'sell' });
    rig.scheduler.drain();
    expect(rig.fills()).toMatchObject([{ price: 99, liquidity: 'maker' }]);
  });

  it('on quotes, buys take the ask and sells the bid, no slippage, at most the size shown', () => {
    const rig = venueRig({ seed: 1, latency: { kind: 'fixed', ms: 10 } }, at(0));
    rig.submit({ side: 'buy', type: 'market', qty: 3 });
    rig.submit({ side: 'sell', type: 'market', qty: 1 });
    rig.submit({ side: 'sell', type: 'limit', price: 101, qty: 1 });
    rig.scheduler.advanceTo(at(0) + 20);
    rig.venue.onQuote('BTC/USDT', { ts: at(0) + 20, bid: 99.9, ask: 100.1, bidSize: 5, askSize: 2 });
    rig.venue.onBar('BTC/USDT', mkBar(at(0), 100, 105, 95, 100)); // quotes drive this symbol now: ignored
    rig.venue.onQuote('BTC/USDT', { ts: at(0) + 20, bid: 101.2, ask: 101.4 });
    rig.scheduler.drain();
    expect(rig.fills().map((f) => [f.id, f.qty, f.price, f.liquidity])).toEqual([
      ['o1', 2, 100.1, 'taker'],
      ['o2', 1, 99.9, 'taker'],
      ['o1', 1, 101.4, 'taker'],
      ['o3', 1, 101, 'maker'],
    ]);
    expect(() => rig.venue.onQuote('BTC/USDT', { ts: at(1), bid: 101, ask: 100 })).toThrow(/not a valid quote/);
  });

  it('refuses a malformed bar or print instead of filling on it', () => {
    const rig = venueRig({ seed: 1 }, at(0));
    expect(() => rig.venue.onBar('BTC/USDT', mkBar(at(0), 100, 99, 98, 100))).toThrow(/paper venue bar BTC\/USDT @ \d+: not a valid price event/);
    expect(() => rig.venue.onBar('BTC/USDT', mkBar(at(0), 100, 101, 99, 100, -1))).toThrow(KeelError);
    expect(() => rig.venue.onTrade('BTC/USDT', { ts: at(0), price: Number.NaN, amount: 1, side: undefined })).toThrow(/trade BTC\/USDT/);
  });

  it('refuses bad settings with a KeelError naming them', () => {
    expect(() => venueRig({ seed: 1, maxVolumeShare: 2 })).toThrow(KeelError);
    expect(() => venueRig({ seed: 1, latency: { kind: 'uniform', minMs: 10, maxMs: 5 } })).toThrow(/latency/);
    expect(() => venueRig({ seed: 1.5 })).toThrow(/seed/);
  });
});
