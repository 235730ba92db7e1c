import { describe, expect, it } from 'vitest';
import { fixedFractional, fixedNotionalFraction, kellyFraction, kellySized, sizeTicket, volatilitySized } from '../../src/risk/sizing';

describe('sizers', () => {
  it('fixed fractional: risking 1% of 50k between 100 and 95 buys 100', () => {
    expect(fixedFractional({ equity: 50_000, riskFraction: 0.01, entry: 100, stop: 95 })).toBeCloseTo(100, 12);
    expect(fixedFractional({ equity: 50_000, riskFraction: 0.01, entry: 100, stop: 105 })).toBeCloseTo(100, 12); // a short's stop above
    expect(fixedFractional({ equity: 50_000, riskFraction: 0.01, entry: 100, stop: 100 })).toBe(0);
    expect(fixedNotionalFraction({ equity: 10_000, fraction: 0.25, price: 50 })).toBe(50);
  });

  it('volatility: (equity × risk per trade) / (ATR × multiplier)', () => {
    expect(volatilitySized({ equity: 100_000, riskPerTrade: 0.005, atr: 2.5, multiplier: 2 })).toBeCloseTo(100, 12);
    expect(volatilitySized({ equity: 100_000, riskPerTrade: 0.005, atr: 0, multiplier: 2 })).toBe(0);
    expect(volatilitySized({ equity: 100_000, riskPerTrade: 0.005, atr: NaN, multiplier: 2 })).toBe(0);
  });

  it('Kelly: f* = p − (1 − p)/b, clipped to [0, cap]', () => {
    // p = 0.6, b = 1: f* = 0.2
    expect(kellyFraction({ winRate: 0.6, avgWin: 1, avgLoss: 1, cap: 1 })).toBeCloseTo(0.2, 12);
    // p = 0.5, b = 2: f* = 0.25, capped at 0.1
    expect(kellyFraction({ winRate: 0.5, avgWin: 2, avgLoss: 1, cap: 0.1 })).toBe(0.1);
    // no edge: 0, never negative
    expect(kellyFraction({ winRate: 0.3, avgWin: 1, avgLoss: 1, cap: 1 })).toBe(0);
    expect(kellySized({ equity: 10_000, price: 20, winRate: 0.6, avgWin: 1, avgLoss: 1, cap: 0.5 })).toBeCloseTo(100, 9);
  });
});

describe('sizeTicket', () => {
  const ctx = { equity: 20_000, referencePrice: 50 };

  it('qty, notional and riskPercent modes', () => {
    expect(sizeTicket({ side: 'buy', size: 3, sizeMode: 'qty' }, ctx)).toBe(3);
    expect(sizeTicket({ side: 'buy', size: 1_000, sizeMode: 'notional' }, ctx)).toBe(20); // at the reference price
    expect(sizeTicket({ side: 'buy', size: 1_000, sizeMode: 'notional', price: 40 }, ctx)).toBe(25); // at the limit price
    expect(sizeTicket({ side: 'buy', size: 1_000, sizeMode: 'notional', stopPrice: 80 }, ctx)).toBe(12.5);
    // 1% of 20k = 200 risked over 50 − 48 = 2 per unit: 100
    expect(sizeTicket({ side: 'buy', size: 1, sizeMode: 'riskPercent', riskStop: 48 }, ctx)).toBeCloseTo(100, 12);
    expect(sizeTicket({ side: 'sell', size: 1, sizeMode: 'riskPercent', riskStop: 54 }, ctx)).toBeCloseTo(50, 12);
  });

  it('rounds down to the lot when given an instrument', () => {
    expect(sizeTicket({ side: 'buy', size: 1_000, sizeMode: 'notional' }, { equity: 1, referencePrice: 30, instrument: { lotSize: 0.1 } })).toBe(33.3);
  });

  it('input that cannot be sized is a KeelError naming the field', () => {
    expect(() => sizeTicket({ side: 'buy', size: 0, sizeMode: 'qty' }, ctx)).toThrow('ticket.size: size must be a positive number, got 0');
    expect(() => sizeTicket({ side: 'buy', size: 100, sizeMode: 'notional' }, { equity: 1, referencePrice: undefined })).toThrow(/ticket.price: no price to size at/);
    expect(() => sizeTicket({ side: 'buy', size: 1, sizeMode: 'riskPercent' }, ctx)).toThrow('ticket.riskStop: riskPercent sizing needs a positive riskStop');
    expect(() => sizeTicket({ side: 'buy', size: 1, sizeMode: 'riskPercent', riskStop: 51 }, ctx)).toThrow('ticket.riskStop: riskStop 51 must be below the entry 50 for a buy');
    expect(() => sizeTicket({ side: 'sell', size: 1, sizeMode: 'riskPercent', riskStop: 49 }, ctx)).toThrow(/must be above the entry 50 for a sell/);
    expect(() => sizeTicket({ side: 'buy', size: 150, sizeMode: 'riskPercent', riskStop: 49 }, ctx)).toThrow(/percentage of equity, got 150/);
    expect(() => sizeTicket({ side: 'buy', size: 1, sizeMode: 'riskPercent', riskStop: 49 }, { equity: 0, referencePrice: 50 })).toThrow(/needs positive equity/);
    expect(() => sizeTicket({ side: 'buy', size: 1, sizeMode: 'lots' as never }, ctx)).toThrow(/ticket.sizeMode/);
  });
});
