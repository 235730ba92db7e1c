// A live account's risk engine beside the paper desk's on one state database: one kill switch
// for both, but each measures drawdown and the day's loss from its own equity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { RiskEngine } from '../../src/risk/engine';
import { AccountRiskPersistence, SqliteRiskPersistence } from '../../src/state/risk-persistence';
import { StateStore } from '../../src/state/store';

const dir = mkdtempSync(join(tmpdir(), 'keel-account-risk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a live account beside the paper desk on one latch', () => {
  it('shares the kill switch both ways; keeps its peak and day-start equity to itself', () => {
    const paperStore = StateStore.open(join(dir, 'state.sqlite'));
    const liveStore = StateStore.open(join(dir, 'state.sqlite'), 'main');
    const clock = new SimulatedClock(Date.UTC(2026, 0, 5, 10));
    const paper = new RiskEngine({ persistence: new SqliteRiskPersistence(paperStore), clock });
    const live = new RiskEngine({ persistence: new AccountRiskPersistence(liveStore, 'main'), clock });
    paper.setLimits({ maxDrawdownPct: 10 }, 'test');
    paper.onEquity(10_000, clock.now());
    // The live account is a hundred times the paper one: its peak must not become paper's.
    live.onEquity(1_000_000, clock.now());
    paper.onEquity(9_950, clock.now());
    expect(new SqliteRiskPersistence(paperStore).loadState().peakEquity).toBe(10_000);
    expect(new AccountRiskPersistence(liveStore, 'main').loadState().peakEquity).toBe(1_000_000);
    expect(paper.tradingState).toBe('ACTIVE');
    expect(paperStore.dayStartEquity('2026-01-05')).toBe(10_000);

    live.killSwitch.engage({ reason: 'from the live desk', actor: 'test' });
    paper.refreshLatch();
    expect(paper.killSwitch.engaged).toBe(true);
    paper.killSwitch.reset('test');
    live.refreshLatch();
    expect(live.killSwitch.engaged).toBe(false);
    expect(new AccountRiskPersistence(liveStore, 'main').loadState().peakEquity).toBe(1_000_000);
    liveStore.close();
    paperStore.close();
  });
});
