import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/clock';
import { Account } from '../../src/model/account';
import { dayKey, dayNumber } from '../../src/risk/breakers';
import { RiskEngine, type RiskEvent } from '../../src/risk/engine';
import type { RiskLimits } from '../../src/risk/limits';
import { MemoryRiskPersistence, type RiskPersistence } from '../../src/risk/persistence';
import { SqliteRiskPersistence } from '../../src/state/risk-persistence';
import { StateStore } from '../../src/state/store';
import { tempDbFile } from '../state/helpers';
import { LOOSE } from './helpers';

const H = 3_600_000;
const DAY0 = Date.UTC(2026, 10, 22); // 00:00 UTC

function engine(limits: Partial<RiskLimits>, persistence: RiskPersistence = new MemoryRiskPersistence(), clock = new SimulatedClock(DAY0)) {
  const events: RiskEvent[] = [];
  const risk = new RiskEngine({ persistence, clock, limits: { ...LOOSE, ...limits }, onEvent: (e) => events.push(e) });
  return { risk, events, clock };
}

describe('trading day', () => {
  it('is the calendar date at UTC+offset', () => {
    expect(dayKey(DAY0 + 23 * H, 0)).toBe('2026-11-22');
    expect(dayKey(DAY0 + 23 * H, 60)).toBe('2026-11-23'); // UTC+1: the boundary is at 23:00 UTC
    expect(dayKey(DAY0 + 4 * H + 59 * 60_000, -300)).toBe('2026-11-21'); // New York winter: boundary at 05:00 UTC
    expect(dayKey(DAY0 + 5 * H, -300)).toBe('2026-11-22');
    expect(dayNumber(DAY0 + 5 * H, -300) - dayNumber(DAY0 + 5 * H - 1, -300)).toBe(1);
  });
});

describe('daily loss breaker', () => {
  it('halts (the default action) at maxDailyLossPct of start-of-day equity; an event and an audit row', () => {
    const persistence = new MemoryRiskPersistence();
    const { risk, events } = engine({ maxDailyLossPct: 2, breakerAction: 'HALTED' }, persistence);
    risk.onEquity(10_000, DAY0 + H); // first update of the day: start-of-day equity
    risk.onEquity(10_500, DAY0 + 2 * H);
    risk.onEquity(9_801, DAY0 + 3 * H); // down 1.99%
    expect(risk.tradingState).toBe('ACTIVE');
    risk.onEquity(9_800, DAY0 + 4 * H); // down 2%
    expect(risk.tradingState).toBe('HALTED');
    const reason = 'daily_loss: down 2.00% from start-of-day equity 10000 (limit 2%)';
    expect(events).toEqual([{ kind: 'state', from: 'ACTIVE', to: 'HALTED', reason, actor: 'breaker:daily_loss', ts: DAY0 + 4 * H }]);
    const row = persistence.auditTrail.at(-1);
    expect(row).toMatchObject({ actor: 'breaker:daily_loss', action: 'risk.state', before: { tradingState: 'ACTIVE' }, after: { tradingState: 'HALTED', tradingReason: reason } });
  });

  it('a HALTED breaker does not lift at the next day boundary; a person resets it', () => {
    const { risk } = engine({ maxDailyLossPct: 2, breakerAction: 'HALTED' });
    risk.onEquity(10_000, DAY0 + H);
    risk.onEquity(9_700, DAY0 + 2 * H);
    expect(risk.tradingState).toBe('HALTED');
    risk.onEquity(9_700, DAY0 + 25 * H);
    risk.onEquity(9_750, DAY0 + 49 * H);
    expect(risk.tradingState).toBe('HALTED');
    risk.setTradingState('ACTIVE', 'desk');
    expect(risk.tradingState).toBe('ACTIVE');
  });

  it('a daily-loss REDUCING lifts at the next day boundary, with a non-zero offset', () => {
    // UTC−5: the trading day turns at 05:00 UTC.
    const { risk, events } = engine({ maxDailyLossPct: 2, breakerAction: 'REDUCING', dayBoundaryUtcOffsetMinutes: -300 });
    risk.onEquity(10_000, DAY0 + 6 * H); // day 2026-11-22 (local) starts
    risk.onEquity(9_750, DAY0 + 20 * H);
    expect(risk.tradingState).toBe('REDUCING');
    risk.onEquity(9_700, DAY0 + 28 * H); // 04:00 UTC next day: still the same local day
    expect(risk.tradingState).toBe('REDUCING');
    risk.onEquity(9_700, DAY0 + 29 * H); // 05:00 UTC: new local day
    expect(risk.tradingState).toBe('ACTIVE');
    expect(events.map((e) => (e.kind === 'state' ? `${e.to}:${e.actor}` : e.kind))).toEqual(['REDUCING:breaker:daily_loss', 'ACTIVE:breaker:new_day']);
    // the new day's start-of-day equity is the first update after the boundary (9700): 9600 is only -1.03%
    risk.onEquity(9_600, DAY0 + 30 * H);
    expect(risk.tradingState).toBe('ACTIVE');
    // 1.03% lost of a 2% allowance: the gauge shows 51.5% used
    expect(risk.snapshot(new Account(9_600)).gauges.dailyLossUsedPct).toBeCloseTo((((100 / 9_700) * 100) / 2) * 100, 9);
  });

  it('start-of-day equity survives a restart mid-day (SQLite)', () => {
    const file = tempDbFile();
    const s1 = StateStore.open(file);
    const a = engine({ maxDailyLossPct: 2 }, new SqliteRiskPersistence(s1));
    a.risk.onEquity(10_000, DAY0 + H);
    a.risk.onEquity(9_900, DAY0 + 2 * H);
    s1.close();
    const s2 = StateStore.open(file);
    const b = engine({ maxDailyLossPct: 2 }, new SqliteRiskPersistence(s2));
    b.risk.onEquity(9_850, DAY0 + 3 * H); // not a new start: still measured from 10000
    expect(b.risk.tradingState).toBe('ACTIVE');
    b.risk.onEquity(9_800, DAY0 + 4 * H);
    expect(b.risk.tradingState).toBe('HALTED');
    s2.close();
  });
});

describe('drawdown breaker', () => {
  it('trips at maxDrawdownPct below peak equity; a drawdown REDUCING does not lift at the day boundary', () => {
    const { risk, events } = engine({ maxDrawdownPct: 5, breakerAction: 'REDUCING' });
    risk.onEquity(10_000, DAY0 + H);
    risk.onEquity(12_000, DAY0 + 30 * H);
    risk.onEquity(11_401, DAY0 + 31 * H);
    expect(risk.tradingState).toBe('ACTIVE');
    risk.onEquity(11_400, DAY0 + 32 * H);
    expect(risk.tradingState).toBe('REDUCING');
    expect(events.at(-1)).toMatchObject({ kind: 'state', to: 'REDUCING', reason: 'max_drawdown: 5.00% below peak equity 12000 (limit 5%)' });
    risk.onEquity(11_400, DAY0 + 60 * H);
    expect(risk.tradingState).toBe('REDUCING');
    // a manual reset restarts the peak: the same equity does not trip again
    risk.setTradingState('ACTIVE', 'desk');
    risk.onEquity(11_400, DAY0 + 61 * H);
    expect(risk.tradingState).toBe('ACTIVE');
    expect(risk.snapshot(new Account(11_400)).gauges.drawdownPct).toBe(0);
  });

  it('escalates REDUCING to HALTED when the action says HALTED, never the other way', () => {
    const { risk } = engine({ maxDrawdownPct: 5, breakerAction: 'REDUCING' });
    risk.onEquity(10_000, DAY0 + H);
    risk.onEquity(9_000, DAY0 + 2 * H);
    expect(risk.tradingState).toBe('REDUCING');
    risk.setLimits({ breakerAction: 'HALTED' }, 'desk');
    risk.onEquity(9_000, DAY0 + 3 * H);
    expect(risk.tradingState).toBe('HALTED');
    risk.setLimits({ breakerAction: 'REDUCING' }, 'desk');
    risk.onEquity(8_000, DAY0 + 4 * H);
    expect(risk.tradingState).toBe('HALTED');
  });
});
