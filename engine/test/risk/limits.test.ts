import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { KeelError } from '../../src/core/errors';
import { Account } from '../../src/model/account';
import { RiskEngine, type RiskEvent } from '../../src/risk/engine';
import { DEFAULT_LIMITS, mergeLimits } from '../../src/risk/limits';
import { LIMITS_SETTING, SqliteRiskPersistence } from '../../src/state/risk-persistence';
import { StateStore } from '../../src/state/store';
import { tempDbFile } from '../state/helpers';

function caught(fn: () => unknown): KeelError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KeelError) return e;
    throw e;
  }
  throw new Error('expected a KeelError');
}

describe('limits as audited settings', () => {
  it('defaults follow the brief', () => {
    expect(DEFAULT_LIMITS).toMatchObject({ maxExposurePct: 30, maxOpenPositions: 2, maxDailyLossPct: 2, breakerAction: 'HALTED', dayBoundaryUtcOffsetMinutes: 0 });
  });

  it('setLimits validates every field and names each bad one; nothing changes on error', () => {
    const store = StateStore.open(tempDbFile());
    const risk = new RiskEngine({ persistence: new SqliteRiskPersistence(store), clock: new SimulatedClock(1) });
    const e = caught(() => risk.setLimits({ maxExposurePct: -5, maxOpenPositions: 1.5, breakerAction: 'PANIC' as never, dayBoundaryUtcOffsetMinutes: 900 }, 'ui'));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.where).toBe('risk limits');
    expect((e.details?.fields as { field: string }[]).map((f) => f.field)).toEqual(['maxExposurePct', 'maxOpenPositions', 'breakerAction', 'dayBoundaryUtcOffsetMinutes']);
    expect(e.message).toContain('maxExposurePct: must be a number above 0 and at most 1000 % equity, got -5');
    expect(e.message).toContain('dayBoundaryUtcOffsetMinutes: must be a whole number from -720 to 840 min, got 900');
    expect(caught(() => risk.setLimits({ maxOrderQty: 0 }, 'ui')).message).toBe('risk limits: maxOrderQty: must be a number above 0 and at most 1e15 units, got 0');
    expect(caught(() => risk.setLimits({ nonsense: 1 } as never, 'ui')).message).toMatch(/nonsense: is not a risk limit/);
    expect(risk.limits).toEqual(DEFAULT_LIMITS);
    expect(store.audit()).toEqual([]);
    expect(store.setting(LIMITS_SETTING)).toBeUndefined();
    store.close();
  });

  it('a change is persisted, audited with before and after, emitted, and read back at the next start', () => {
    const file = tempDbFile();
    const store = StateStore.open(file);
    const events: RiskEvent[] = [];
    const risk = new RiskEngine({ persistence: new SqliteRiskPersistence(store), clock: new SimulatedClock(42), onEvent: (e) => events.push(e) });
    const after = risk.setLimits({ maxExposurePct: 25, maxOpenPositions: 3 }, 'ui:alice');
    expect(after).toEqual({ ...DEFAULT_LIMITS, maxExposurePct: 25, maxOpenPositions: 3 });
    expect(store.audit()).toEqual([{ ts: 42, actor: 'ui:alice', action: 'risk.limits', before: DEFAULT_LIMITS, after }]);
    expect(events).toEqual([{ kind: 'limits', before: DEFAULT_LIMITS, after, actor: 'ui:alice', ts: 42 }]);
    store.close();
    const again = StateStore.open(file);
    expect(new RiskEngine({ persistence: new SqliteRiskPersistence(again) }).limits).toEqual(after);
    again.close();
  });

  it('stored limits that no longer validate stop the engine from starting (fail closed)', () => {
    const store = StateStore.open(tempDbFile());
    store.setSetting(LIMITS_SETTING, { ...DEFAULT_LIMITS, maxDailyLossPct: 500 }, 1);
    expect(() => new RiskEngine({ persistence: new SqliteRiskPersistence(store) })).toThrow(/settings risk.limits: maxDailyLossPct: must be a number above 0 and at most 100 % equity, got 500/);
    store.close();
  });

  it('mergeLimits refuses a non-object', () => {
    expect(() => mergeLimits(DEFAULT_LIMITS, 5)).toThrow(/limits must be an object/);
  });
});

describe('risk state snapshot', () => {
  it('reports trading state, latch, limits and gauges as the protocol DTO', () => {
    const clock = new SimulatedClock(Date.UTC(2026, 10, 22, 9));
    const risk = new RiskEngine({ clock, limits: { maxExposurePct: 30, maxDailyLossPct: 2 } });
    const account = new Account(10_000);
    risk.onEquity(10_000, clock.now());
    account.applyFill({ id: 'f', orderId: 'o', clientOrderId: 'c', symbol: 'BTC/USDT', side: 'buy', qty: 0.03, price: 50_000, fee: 0, liquidity: 'taker', ts: clock.now() });
    account.mark('BTC/USDT', 49_000); // equity 9970: 0.3% down, exposure 1470
    risk.onEquity(account.equity(), clock.now());
    const dto = risk.snapshot(account);
    expect(dto.tradingState).toBe('ACTIVE');
    expect(dto.killSwitch).toEqual({ engaged: false });
    expect(dto.limits.maxExposurePct).toBe(30);
    expect(dto.gauges.openPositions).toBe(1);
    expect(dto.gauges.dailyLossUsedPct).toBeCloseTo(15, 9); // 0.3% of a 2% allowance
    expect(dto.gauges.exposureUsedPct).toBeCloseTo((1_470 / (0.3 * 9_970)) * 100, 9);
    expect(dto.gauges.drawdownPct).toBeCloseTo(0.3, 9);
    expect(JSON.parse(JSON.stringify(dto))).toEqual(dto);
  });
});
