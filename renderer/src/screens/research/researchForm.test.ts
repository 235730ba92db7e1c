import { describe, expect, it } from 'vitest';
import type { StrategyInfo } from '../../../../engine/protocol';
import { buildOptimizeRequest, buildWalkForwardRequest, defaultSetting, defaultSettings, type SweepFormState } from './researchForm';

const smaCross: StrategyInfo = {
  id: 'sma-cross',
  name: 'SMA cross',
  description: '',
  params: [
    { name: 'fast', kind: 'int', default: 10, min: 1, max: 500, step: 1 },
    { name: 'slow', kind: 'int', default: 30, min: 2, max: 2000, step: 1 },
  ],
};
const withChoice: StrategyInfo = { ...smaCross, id: 'c', params: [...smaCross.params, { name: 'mode', kind: 'choice', default: 'a', choices: ['a', 'b'] }, { name: 'k', kind: 'float', default: 2, min: 0.5, max: 6 }] };

const form = (over: Partial<SweepFormState> = {}): SweepFormState => ({
  strategy: 'sma-cross',
  dataset: 'BTC/USDT|5m',
  from: '',
  to: '',
  capital: '10000',
  feePct: '0.1',
  slippagePct: '0.05',
  settings: defaultSettings(smaCross),
  method: 'grid',
  trials: '50',
  seed: '1',
  objective: 'sharpe',
  minTrades: '1',
  ...over,
});

describe('the research forms', () => {
  it('start a numeric parameter searched from half to twice its default in about ten whole steps', () => {
    expect(defaultSetting(smaCross.params[0]!)).toEqual({ search: true, lo: '5', hi: '20', step: '2', value: 10 });
    expect(defaultSetting(smaCross.params[1]!)).toEqual({ search: true, lo: '15', hi: '60', step: '5', value: 30 });
    expect(defaultSetting(withChoice.params[2]!)).toMatchObject({ search: false, value: 'a' });
    expect(defaultSetting(withChoice.params[3]!)).toMatchObject({ search: true, lo: '1', hi: '4', step: '0.3' });
  });

  it('build the optimize request: searched ranges, held values, costs as fractions', () => {
    const built = buildOptimizeRequest(form({ method: 'tpe', trials: '40', seed: '7' }), [smaCross]);
    expect(built).toEqual({
      request: {
        strategy: 'sma-cross',
        symbol: 'BTC/USDT',
        timeframe: '5m',
        capital: 10000,
        fee: 0.001,
        slippage: 0.0005,
        ranges: { fast: { lo: 5, hi: 20, step: 2 }, slow: { lo: 15, hi: 60, step: 5 } },
        fixed: {},
        method: 'tpe',
        trials: 40,
        seed: 7,
        objective: 'sharpe',
        minTrades: 1,
      },
    });
  });

  it('hold an unticked parameter at its value, and name what is wrong', () => {
    const f = form();
    f.settings = { ...f.settings, slow: { ...f.settings.slow!, search: false, value: 200 }, fast: { ...f.settings.fast!, lo: '30', hi: '5' } };
    expect(buildOptimizeRequest(f, [smaCross])).toEqual({ errors: ['fast: from must not be above to'] });
    f.settings.fast = { ...f.settings.fast!, lo: '0', hi: '5' };
    expect(buildOptimizeRequest(f, [smaCross])).toEqual({ errors: ['fast: must stay within 1 … 500'] });
    f.settings.fast = { ...f.settings.fast!, lo: '2', hi: '5' };
    const ok = buildOptimizeRequest(f, [smaCross]);
    expect('request' in ok && ok.request.fixed).toEqual({ slow: 200 });
  });

  it('build the walk-forward request with its windows and reserve as a fraction', () => {
    const built = buildWalkForwardRequest({ ...form(), train: '2000', test: '500', anchored: true, reservePct: '25', validate: true }, [smaCross]);
    expect('request' in built && built.request).toMatchObject({ train: 2000, test: 500, anchored: true, reserve: 0.25, validate: true });
    expect(buildWalkForwardRequest({ ...form(), train: '1', test: '0', anchored: false, reservePct: '100', validate: false }, [smaCross])).toEqual({
      errors: ['Train must be a whole number of bars ≥ 2', 'Test must be a whole number of bars ≥ 1', 'Reserve must be a percent from 0 to below 100'],
    });
  });
});
