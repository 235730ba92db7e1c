import { describe, expect, it } from 'vitest';
import type { RiskLimits, StrategyInfo } from '../../../engine/protocol';
import { buildBacktestRequest, checkParam, rangeHint } from './backtestForm';
import { limitChanges } from './limits';
import { acceptsNumberInput } from '../lib/numbers';
import { emptyTicket, ticketProblems, ticketToOrder } from './ticket';

describe('order ticket', () => {
  it('asks for what is missing before a preview', () => {
    expect(ticketToOrder(undefined, emptyTicket)).toEqual({ missing: 'a symbol' });
    expect(ticketToOrder('BTC/USDT', emptyTicket)).toEqual({ missing: 'a quantity' });
    expect(ticketToOrder('BTC/USDT', { ...emptyTicket, size: '1', type: 'limit' })).toEqual({ missing: 'a limit price' });
    expect(ticketToOrder('BTC/USDT', { ...emptyTicket, size: '1', type: 'stop_limit', price: '10' })).toEqual({ missing: 'a stop price' });
    expect(ticketToOrder('BTC/USDT', { ...emptyTicket, size: '0.5', sizeMode: 'riskPercent' })).toEqual({ missing: 'a protective stop for % risk sizing' });
    expect(ticketToOrder('BTC/USDT', { ...emptyTicket, size: '0' })).toEqual({ problem: 'quantity must be above 0' });
  });

  it('says what is wrong with a number, not only that it is missing', () => {
    expect(ticketToOrder('BTC/USDT', { ...emptyTicket, size: '1', type: 'limit', price: '0' })).toEqual({ problem: 'limit price must be above 0' });
    expect(ticketToOrder('BTC/USDT', { ...emptyTicket, size: '1', type: 'stop', stopPrice: '1.2.3' })).toEqual({ problem: 'stop price has more than one decimal point' });
    expect(ticketProblems({ ...emptyTicket, size: '12abc' })).toEqual({ size: 'quantity takes digits and a decimal point, not "abc"' });
    expect(ticketProblems({ ...emptyTicket, size: '150', sizeMode: 'riskPercent', riskStop: '-3' })).toEqual({ size: 'risk % must be at most 100', riskStop: 'protective stop must be above 0' });
    // a field the order type does not use is not checked
    expect(ticketProblems({ ...emptyTicket, size: '1', price: 'x' })).toEqual({});
    expect(acceptsNumberInput('21000.5')).toBe(true);
    expect(acceptsNumberInput('21000a')).toBe(false);
    expect(acceptsNumberInput('1.2.')).toBe(false);
  });

  it('builds the order the form describes', () => {
    const r = ticketToOrder('BTC/USDT', { ...emptyTicket, side: 'sell', type: 'stop_limit', size: '0.25', price: '20000', stopPrice: '20100', reduceOnly: true });
    expect(r).toEqual({
      order: { symbol: 'BTC/USDT', side: 'sell', type: 'stop_limit', size: 0.25, sizeMode: 'qty', tif: 'GTC', reduceOnly: true, price: 20000, stopPrice: 20100 },
    });
    const m = ticketToOrder('BTC/USDT', { ...emptyTicket, size: '1000', sizeMode: 'notional', price: '5' });
    expect(m).toEqual({ order: { symbol: 'BTC/USDT', side: 'buy', type: 'market', size: 1000, sizeMode: 'notional', tif: 'GTC' } });
  });
});

describe('backtest form', () => {
  const strat: StrategyInfo = {
    id: 'sma-cross',
    name: 'SMA cross',
    description: '',
    params: [
      { name: 'fast', kind: 'int', default: 10, min: 2, max: 50, step: 1 },
      { name: 'mode', kind: 'choice', default: 'long', choices: ['long', 'both'] },
      { name: 'trail', kind: 'bool', default: false },
    ],
  };
  const base = { strategy: 'sma-cross', dataset: 'BTC/USDT|5m', from: '', to: '', capital: '10000', feePct: '0.1', slippagePct: '0.05', params: {} };

  it('checks params against their ranges', () => {
    expect(checkParam(strat.params[0]!, 60)).toEqual({ error: 'fast must be ≤ 50' });
    expect(checkParam(strat.params[0]!, '2.5')).toEqual({ error: 'fast must be a whole number' });
    expect(checkParam(strat.params[0]!, '12')).toEqual({ value: 12 });
    expect(checkParam(strat.params[1]!, 'short')).toEqual({ error: 'mode must be one of long, both' });
    expect(rangeHint(strat.params[0]!)).toBe('int 2 … 50 step 1');
  });

  it('turns the form into a request with fractions and an inclusive end day', () => {
    const r = buildBacktestRequest({ ...base, from: '2023-01-02', to: '2023-01-03', params: { fast: '12' } }, [strat]);
    expect(r).toEqual({
      request: {
        strategy: 'sma-cross',
        params: { fast: 12, mode: 'long', trail: false },
        symbol: 'BTC/USDT',
        timeframe: '5m',
        capital: 10000,
        fee: 0.001,
        slippage: 0.0005,
        from: Date.UTC(2023, 0, 2),
        to: Date.UTC(2023, 0, 4) - 1,
      },
    });
  });

  it('lists every problem', () => {
    const r = buildBacktestRequest({ ...base, capital: '0', from: '2023-02-01', to: '2023-01-01', params: { fast: 1 } }, [strat]);
    expect(r).toEqual({ errors: ['Capital must be a positive number', 'From must be before To', 'fast must be ≥ 2'] });
  });
});

describe('risk limits form', () => {
  const limits = { maxOrderQty: 10, maxDailyLossPct: 3, breakerAction: 'HALTED' } as RiskLimits;
  it('sends only what changed, as numbers', () => {
    expect(limitChanges(limits, { maxOrderQty: '10', maxDailyLossPct: '2.5' })).toEqual({ changes: { maxDailyLossPct: 2.5 }, problems: [] });
    expect(limitChanges(limits, { breakerAction: 'REDUCING' })).toEqual({ changes: { breakerAction: 'REDUCING' }, problems: [] });
  });
  it('takes a negative day boundary (a trader west of UTC)', () => {
    expect(limitChanges(limits, { dayBoundaryUtcOffsetMinutes: '-300' })).toEqual({ changes: { dayBoundaryUtcOffsetMinutes: -300 }, problems: [] });
  });
  it('names each field it refuses and why, and sends none of it', () => {
    expect(limitChanges(limits, { maxOrderQty: 'ten', maxDailyLossPct: '-1', maxOpenPositions: '' })).toEqual({
      changes: {},
      problems: [
        { key: 'maxOrderQty', message: 'Max order quantity must be a number above 0 and at most 1e15 units, got "ten"' },
        { key: 'maxOpenPositions', message: 'Max open positions is empty' },
        { key: 'maxDailyLossPct', message: 'Max daily loss must be a number above 0 and at most 100 % equity, got -1' },
      ],
    });
  });
});
