import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogRing } from '../../src/app/logs';
import { PaperDesk, type PriceSource } from '../../src/app/paper-desk';
import type { TopicName } from '../../protocol/index';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

function temp(): string {
  const h = mkdtempSync(join(tmpdir(), 'keel-desk-'));
  homes.push(h);
  return h;
}

class Prices implements PriceSource {
  constructor(public readonly table: Map<string, number>) {}
  async latestClose(symbol: string) {
    const p = this.table.get(symbol);
    return p === undefined ? undefined : { price: p, ts: Date.now() - 60_000 };
  }
  async symbols() {
    return [...this.table.keys()];
  }
}

async function until<T>(fn: () => T | undefined, ms = 5_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const buy = { symbol: 'BTC/USDT', side: 'buy' as const, type: 'market' as const, size: 0.1, sizeMode: 'qty' as const };

describe('paper desk', () => {
  it('fails closed on a journal error: a duplicate venue trade id in SQLite is logged and engages the kill switch, and nothing crashes', async () => {
    const home = temp();
    const prices = new Prices(new Map([['BTC/USDT', 100]]));
    const logs = new LogRing();
    const pushed: TopicName[] = [];
    const a = await PaperDesk.open(home, prices, (t) => pushed.push(t), logs.logger('paper'), { venueName: 'dup' });
    expect((await a.trading.place(buy)).ok).toBe(true);
    await until(() => (a.trading.fills(10).length === 1 ? true : undefined));
    expect(a.trading.fills(1)[0]!.venueTradeId).toBe('dup-t-1');
    a.close();

    // Same venue name after a restart: its first trade id is already in fills.venue_trade_id (unique).
    const b = await PaperDesk.open(home, prices, (t) => pushed.push(t), logs.logger('paper'), { venueName: 'dup' });
    try {
      expect((await b.trading.place(buy)).ok).toBe(true);
      const state = await until(() => {
        const s = b.risk.state();
        return s.killSwitch.engaged ? s : undefined;
      });
      expect(state.tradingState).toBe('HALTED');
      expect(state.killSwitch.reason).toMatch(/^journal write failed: filled report for order .* not applied: .*UNIQUE/);
      expect(logs.recent(50).some((e) => e.level === 'error' && e.message.includes('not applied'))).toBe(true);
      // The account did not take the fill the journal refused.
      expect(b.trading.positions()).toEqual([expect.objectContaining({ symbol: 'BTC/USDT', qty: 0.1 })]);
      expect(await b.trading.place(buy)).toMatchObject({ ok: false, check: 'kill_switch' });
    } finally {
      b.close();
    }
  });

  it('resting limits fill from later prints priced from the last stored bar', async () => {
    const home = temp();
    const prices = new Prices(new Map([['BTC/USDT', 100]]));
    const desk = await PaperDesk.open(home, prices, () => {}, new LogRing().logger('paper'));
    try {
      const limit = await desk.trading.place({ ...buy, type: 'limit', price: 95 });
      expect(limit.ok).toBe(true);
      await until(() => (desk.workingOrders().some((o) => o.status === 'accepted') ? true : undefined));
      await new Promise((r) => setTimeout(r, 100));
      expect(desk.trading.fills(10)).toHaveLength(0);
      // New data arrives with a lower last bar; the next acknowledged order prints it, and the resting limit fills too.
      prices.table.set('BTC/USDT', 94);
      expect((await desk.trading.place({ ...buy, size: 0.2 })).ok).toBe(true);
      const fills = await until(() => (desk.trading.fills(10).length === 2 ? desk.trading.fills(10) : undefined));
      expect(fills.find((f) => f.qty === 0.1)!.price).toBe(95);
    } finally {
      desk.close();
    }
  });

  it('makes symbols known after start tradable without a restart', async () => {
    const home = temp();
    const prices = new Prices(new Map([['BTC/USDT', 100]]));
    const desk = await PaperDesk.open(home, prices, () => {}, new LogRing().logger('paper'));
    try {
      await expect(desk.trading.preview({ ...buy, symbol: 'ETH/USDT' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      prices.table.set('ETH/USDT', 2_000);
      expect(await desk.onImported()).toEqual(['ETH/USDT']);
      expect((await desk.trading.place({ ...buy, symbol: 'ETH/USDT' })).ok).toBe(true);
      await until(() => (desk.trading.positions().some((p) => p.symbol === 'ETH/USDT') ? true : undefined));
    } finally {
      desk.close();
    }
  });
});
