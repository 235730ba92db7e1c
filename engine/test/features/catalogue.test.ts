import { describe, expect, it } from 'vitest';
import { isKeelError } from '../../src/core/errors';
import { sliceSeries, type BarSeries } from '../../src/model/bar';
import * as batch from '../../src/features/batch';
import { CATALOGUE, computeIndicator, findIndicator } from '../../src/features/catalogue';
import { readBars } from './oracle';
import { indicatorService } from '../../src/app/indicator-adapter';

const bars = readBars('btc-usdt-5m-2023-01.csv');
const series: BarSeries = sliceSeries({ symbol: 'BTC/USDT', timeframe: '5m', length: bars.close.length, ...bars }, 0, 1500);

describe('catalogue', () => {
  it('describes every indicator as plain data with sane parameters', () => {
    expect(JSON.parse(JSON.stringify(CATALOGUE))).toEqual(CATALOGUE);
    expect(new Set(CATALOGUE.map((s) => s.id)).size).toBe(CATALOGUE.length);
    for (const s of CATALOGUE) {
      expect(['overlay', 'pane']).toContain(s.kind);
      expect(s.outputs.length).toBeGreaterThan(0);
      expect(s.inputs.length).toBeGreaterThan(0);
      for (const p of s.params) {
        expect(p.min <= p.default && p.default <= p.max, `${s.id}.${p.name}`).toBe(true);
        if (p.type === 'int') expect(Number.isInteger(p.default)).toBe(true);
      }
    }
  });

  it("gives each output its drawing style, and the wire's catalogue carries it", () => {
    const styleOf = (id: string) => findIndicator(id)!.outputs.map((o) => o.style);
    expect(styleOf('ao')).toEqual(['histogram']);
    expect(styleOf('psar')).toEqual(['dots']);
    expect(styleOf('macd')).toEqual(['line', 'line', 'histogram']);
    expect(styleOf('cdl_doji')).toEqual(['marker']);
    const wire = indicatorService.catalogue();
    expect(wire.find((e) => e.id === 'ao')).toMatchObject({ kind: 'pane', outputs: [{ name: 'value', style: 'histogram' }] });
    expect(wire.find((e) => e.id === 'psar')).toMatchObject({ kind: 'overlay', outputs: [{ name: 'value', label: 'SAR', style: 'dots' }] });
    // Everything the catalogue says about drawing reaches the wire unchanged, for every indicator.
    for (const spec of CATALOGUE) {
      const entry = wire.find((e) => e.id === spec.id)!;
      expect(entry.kind, spec.id).toBe(spec.kind);
      expect(entry.group, spec.id).toBe(spec.group);
      expect(entry.outputs, spec.id).toEqual(spec.outputs.map((o) => ({ name: o.name, label: o.label, style: o.style })));
    }
  });

  it('offers the hot set from Keel and the long tail the brief lists', () => {
    const ids = CATALOGUE.map((s) => s.id);
    for (const id of ['sma', 'ema', 'rsi', 'atr', 'macd', 'bollinger', 'donchian', 'zscore', 'volatility', 'logreturn']) expect(findIndicator(id)?.source, id).toBe('keel');
    for (const id of ['ichimoku', 'psar', 'stochastic', 'adx', 'cci', 'obv', 'vwap', 'williamsr', 'cdl_doji', 'cdl_bullishengulfing', 'cdl_hammer']) expect(ids, id).toContain(id);
  });

  it('hot indicators are exactly the batch implementations', () => {
    expect(computeIndicator('sma', series, { n: 20 }).value).toEqual(batch.sma(series.close, 20));
    expect(computeIndicator('macd', series)).toEqual({ ...batch.macd(series.close, 12, 26, 9) });
    expect(computeIndicator('bollinger', series, { k: 2.5 })).toEqual({ ...batch.bollinger(series.close, 20, 2.5) });
    expect(computeIndicator('atr', series).value).toEqual(batch.atr(series.high, series.low, series.close, 14));
  });

  it.each(CATALOGUE.map((s) => s.id))('%s: declared outputs, bar-aligned, NaN only at the front, causal', (id) => {
    const spec = findIndicator(id)!;
    const full = computeIndicator(id, series);
    expect(Object.keys(full).sort()).toEqual(spec.outputs.map((o) => o.name).sort());
    const prefix = computeIndicator(id, sliceSeries(series, 0, 1000));
    for (const [name, col] of Object.entries(full)) {
      expect(col).toBeInstanceOf(Float64Array);
      expect(col.length).toBe(series.length);
      const first = col.findIndex((v) => !Number.isNaN(v));
      expect(first, `${id}.${name} never defined`).toBeGreaterThanOrEqual(0);
      expect(col.subarray(first).every(Number.isFinite), `${id}.${name} has holes after warm-up`).toBe(true);
      // A misaligned (start-aligned) result would shift against the prefix's.
      expect(prefix[name], `${id}.${name}: prefix disagrees`).toEqual(col.subarray(0, 1000));
    }
    if (spec.group === 'pattern') expect(full.signal!.every((v) => Number.isNaN(v) || v === 0 || v === 1)).toBe(true);
  });

  it.each(CATALOGUE.map((s) => s.id))('%s: series too short to warm up gives NaN, not an error', (id) => {
    for (const len of [0, 1, 4]) {
      const out = computeIndicator(id, sliceSeries(series, 0, len));
      for (const col of Object.values(out)) {
        expect(col.length).toBe(len);
      }
    }
  });

  it('refuses unknown indicators and bad parameters, naming them', () => {
    const fails = (f: () => unknown, msg: RegExp): void => {
      try {
        f();
      } catch (e) {
        expect(isKeelError(e) && e.code === 'BAD_INPUT').toBe(true);
        expect((e as Error).message).toMatch(msg);
        return;
      }
      throw new Error('expected an error');
    };
    fails(() => computeIndicator('nope', series), /unknown indicator "nope"/);
    fails(() => computeIndicator('sma', series, { period: 3 }), /unknown parameter "period" \(expected: n\)/);
    fails(() => computeIndicator('sma', series, { n: 0 }), /sma\.n: must be between 1 and 1000/);
    fails(() => computeIndicator('rsi', series, { n: 2.5 }), /rsi\.n: must be a whole number/);
    fails(() => computeIndicator('bollinger', series, { k: NaN }), /bollinger\.k: must be a finite number/);
    fails(() => computeIndicator('macd', series, { fast: 30 }), /fast period \(30\) must be shorter than slow period \(26\)/);
  });
});

describe('price sources and guide levels', () => {
  it('an indicator of one price reads the source asked for: SMA of hl2 is the SMA of (high+low)/2', () => {
    const hl2 = new Float64Array(series.length);
    for (let i = 0; i < series.length; i++) hl2[i] = (series.high[i]! + series.low[i]!) / 2;
    const want = batch.sma(hl2, 10);
    const got = computeIndicator('sma', series, { n: 10 }, 'hl2').value!;
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(Array.from(computeIndicator('sma', series, { n: 10 }, 'close').value!)).toEqual(Array.from(batch.sma(series.close, 10)));
    const ohlc4 = computeIndicator('ema', series, { n: 5 }, 'ohlc4').value!;
    const mean = new Float64Array(series.length);
    for (let i = 0; i < series.length; i++) mean[i] = (series.open[i]! + series.high[i]! + series.low[i]! + series.close[i]!) / 4;
    expect(Array.from(ohlc4)).toEqual(Array.from(batch.ema(mean, 5)));
  });

  it('refuses a source for an indicator of several prices, naming it', () => {
    expect(() => computeIndicator('atr', series, { n: 14 }, 'hl2')).toThrow(/Average true range reads high, low, close; only an indicator of one price takes a source/);
    const wire = indicatorService.catalogue();
    expect(wire.find((e) => e.id === 'sma')!.sourced).toBe(true);
    expect(wire.find((e) => e.id === 'atr')!.sourced).toBe(false);
  });

  it('carries guide levels where a reading is judged against them, and the parameters a settings form needs', () => {
    const wire = indicatorService.catalogue();
    expect(wire.find((e) => e.id === 'rsi')!.guides).toEqual([30, 70]);
    expect(wire.find((e) => e.id === 'stochastic')!.guides).toEqual([20, 80]);
    expect(wire.find((e) => e.id === 'sma')!.guides).toBeUndefined();
    expect(wire.find((e) => e.id === 'bollinger')!.params).toEqual([
      { name: 'n', label: 'Period', default: 20, min: 1, max: 1000, step: 1, integer: true },
      { name: 'k', label: 'Width (sd)', default: 2, min: 0.1, max: 10, step: 0.1, integer: false },
    ]);
  });
});
