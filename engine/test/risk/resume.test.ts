import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { equityFromFills } from '../../src/app/paper-desk';
import { Account } from '../../src/model/account';
import type { Fill } from '../../src/model/fill';
import { dayStart } from '../../src/risk/breakers';
import { RiskEngine } from '../../src/risk/engine';
import { SqliteRiskPersistence } from '../../src/state/risk-persistence';
import { StateStore } from '../../src/state/store';
import { tempDir } from '../state/helpers';
import { LOOSE } from './helpers';

const NOON = Date.UTC(2026, 10, 22, 12, 0, 0);
const fill = (ts: number, side: 'buy' | 'sell', qty: number, price: number, fee: number): Fill => ({
  id: `f${ts}`, orderId: `o${ts}`, clientOrderId: `o${ts}`, symbol: 'BTC/USDT', side, qty, price, fee, liquidity: 'taker', ts,
});

describe('risk at start-up', () => {
  it('reads the day\'s loss from the stored start-of-day equity before any new trade', () => {
    const home = tempDir();
    const store = StateStore.open(join(home, 'state.sqlite'));
    const a = new RiskEngine({ persistence: new SqliteRiskPersistence(store), clock: new SimulatedClock(NOON), limits: LOOSE });
    a.onEquity(100_000, NOON - 3_600_000); // the day began at 100,000
    a.onEquity(99_000, NOON - 60_000);
    const restarted = new RiskEngine({ persistence: new SqliteRiskPersistence(store), clock: new SimulatedClock(NOON), limits: LOOSE });
    expect(restarted.snapshot(new Account(99_000)).gauges.dailyLossPct).toBe(0); // nothing observed yet: the defect
    restarted.resume(99_000, NOON, () => {
      throw new Error('the stored start-of-day equity must be used');
    });
    expect(restarted.snapshot(new Account(99_000)).gauges.dailyLossPct).toBeCloseTo(1, 10);
    store.close();
  });

  it('rebuilds the start-of-day equity from the fills when none was stored', () => {
    const home = tempDir();
    const store = StateStore.open(join(home, 'state.sqlite'));
    const boundary = dayStart(NOON, 0);
    // Bought yesterday at 50,000; sold today at 49,000 (fees 10 each way).
    const fills = [fill(boundary - 3_600_000, 'buy', 1, 50_000, 10), fill(boundary + 3_600_000, 'sell', 1, 49_000, 10)];
    const atBoundary = equityFromFills(100_000, fills, boundary);
    expect(atBoundary).toBe(100_000 - 10); // the position marked at its last fill price
    const risk = new RiskEngine({ persistence: new SqliteRiskPersistence(store), clock: new SimulatedClock(NOON), limits: LOOSE });
    const now = new Account(100_000);
    for (const f of fills) now.applyFill(f);
    risk.resume(now.equity(), NOON, (b) => equityFromFills(100_000, fills, b));
    expect(risk.snapshot(now).gauges.dailyLossPct).toBeCloseTo(((atBoundary - now.equity()) / atBoundary) * 100, 10);
    store.close();
  });
});
