/**
 * The long tail of the catalogue, computed by the `technicalindicators` package and reshaped
 * into Keel's form: one Float64Array per output, as long as the series, NaN-padded at the
 * front. technicalindicators returns only the defined values (its warm-up is dropped), so
 * its results are aligned to the END of the series; the catalogue tests check that
 * alignment on every indicator by comparing a prefix of the series with the whole.
 *
 * These are reference-grade but slow (per-bar objects and generators), and they do not
 * follow Keel's restart-on-NaN policy: feed them finite bars.
 */
import * as ti from 'technicalindicators';
import type { BarSeries } from '../model/bar';

export type Outputs = Record<string, Float64Array>;
export type Params = Record<string, number>;

const list = (x: Float64Array): number[] => Array.from(x);

function nanArray(len: number): Float64Array {
  return new Float64Array(len).fill(NaN);
}

/** End-aligns a list of numbers. */
function alignNumbers(len: number, values: readonly (number | undefined)[]): Float64Array {
  const out = nanArray(len);
  const offset = len - values.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number') out[offset + i] = v;
  }
  return out;
}

/** End-aligns a list of objects, one output per requested field (`outputName: fieldName`). */
function alignObjects(len: number, rows: readonly object[], fields: Record<string, string>): Outputs {
  const out: Outputs = {};
  const offset = len - rows.length;
  for (const [name, field] of Object.entries(fields)) {
    const col = nanArray(len);
    for (let i = 0; i < rows.length; i++) {
      const v = (rows[i] as Record<string, unknown>)[field];
      if (typeof v === 'number') col[offset + i] = v;
    }
    out[name] = col;
  }
  return out;
}

export type LongTailCompute = (s: BarSeries, p: Params) => Outputs;

/** Oscillators, averages and volume studies. */
export const LONG_TAIL: Record<string, LongTailCompute> = {
  wma: (s, p) => ({ value: alignNumbers(s.length, ti.wma({ period: p.period!, values: list(s.close) })) }),
  wema: (s, p) => ({ value: alignNumbers(s.length, ti.wema({ period: p.period!, values: list(s.close) })) }),
  stochastic: (s, p) =>
    alignObjects(s.length, ti.stochastic({ high: list(s.high), low: list(s.low), close: list(s.close), period: p.period!, signalPeriod: p.signalPeriod! }), { k: 'k', d: 'd' }),
  stochrsi: (s, p) =>
    alignObjects(
      s.length,
      ti.stochasticrsi({ values: list(s.close), rsiPeriod: p.rsiPeriod!, stochasticPeriod: p.stochasticPeriod!, kPeriod: p.kPeriod!, dPeriod: p.dPeriod! }),
      { stochRsi: 'stochRSI', k: 'k', d: 'd' },
    ),
  adx: (s, p) => alignObjects(s.length, ti.adx({ high: list(s.high), low: list(s.low), close: list(s.close), period: p.period! }), { adx: 'adx', plusDi: 'pdi', minusDi: 'mdi' }),
  cci: (s, p) => ({ value: alignNumbers(s.length, ti.cci({ high: list(s.high), low: list(s.low), close: list(s.close), period: p.period! })) }),
  williamsr: (s, p) => ({ value: alignNumbers(s.length, ti.williamsr({ high: list(s.high), low: list(s.low), close: list(s.close), period: p.period! })) }),
  roc: (s, p) => ({ value: alignNumbers(s.length, ti.roc({ values: list(s.close), period: p.period! })) }),
  trix: (s, p) => ({ value: alignNumbers(s.length, ti.trix({ values: list(s.close), period: p.period! })) }),
  kst: (s, p) =>
    alignObjects(
      s.length,
      ti.kst({
        values: list(s.close),
        ROCPer1: p.roc1!,
        ROCPer2: p.roc2!,
        ROCPer3: p.roc3!,
        ROCPer4: p.roc4!,
        SMAROCPer1: p.sma1!,
        SMAROCPer2: p.sma2!,
        SMAROCPer3: p.sma3!,
        SMAROCPer4: p.sma4!,
        signalPeriod: p.signalPeriod!,
      }),
      { kst: 'kst', signal: 'signal' },
    ),
  ao: (s, p) => ({ value: alignNumbers(s.length, ti.awesomeoscillator({ high: list(s.high), low: list(s.low), fastPeriod: p.fastPeriod!, slowPeriod: p.slowPeriod! })) }),
  obv: (s) => ({ value: alignNumbers(s.length, ti.obv({ close: list(s.close), volume: list(s.volume) })) }),
  adl: (s) => ({ value: alignNumbers(s.length, ti.adl({ high: list(s.high), low: list(s.low), close: list(s.close), volume: list(s.volume) })) }),
  vwap: (s) => ({ value: alignNumbers(s.length, ti.vwap({ high: list(s.high), low: list(s.low), close: list(s.close), volume: list(s.volume) })) }),
  mfi: (s, p) => ({ value: alignNumbers(s.length, ti.mfi({ high: list(s.high), low: list(s.low), close: list(s.close), volume: list(s.volume), period: p.period! })) }),
  forceindex: (s, p) => ({ value: alignNumbers(s.length, ti.forceindex({ close: list(s.close), volume: list(s.volume), period: p.period! })) }),
  psar: (s, p) => ({ value: alignNumbers(s.length, ti.psar({ high: list(s.high), low: list(s.low), step: p.step!, max: p.max! })) }),
  ichimoku: (s, p) =>
    alignObjects(
      s.length,
      ti.ichimokucloud({ high: list(s.high), low: list(s.low), conversionPeriod: p.conversionPeriod!, basePeriod: p.basePeriod!, spanPeriod: p.spanPeriod!, displacement: p.displacement! }),
      { conversion: 'conversion', base: 'base', spanA: 'spanA', spanB: 'spanB' },
    ),
  keltner: (s, p) =>
    alignObjects(
      s.length,
      ti.keltnerchannels({ high: list(s.high), low: list(s.low), close: list(s.close), maPeriod: p.maPeriod!, atrPeriod: p.atrPeriod!, multiplier: p.multiplier!, useSMA: false }),
      { upper: 'upper', middle: 'middle', lower: 'lower' },
    ),
  chandelier: (s, p) =>
    alignObjects(s.length, ti.chandelierexit({ high: list(s.high), low: list(s.low), close: list(s.close), period: p.period!, multiplier: p.multiplier! }) as unknown as object[], {
      exitLong: 'exitLong',
      exitShort: 'exitShort',
    }),
};

interface OhlcWindow {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
}

/** Candlestick detectors: each looks at the last `bars` candles and answers yes or no. */
export const CANDLESTICKS: Record<string, { name: string; bars: number; detect: (w: OhlcWindow) => boolean }> = {
  abandonedbaby: { name: 'Abandoned baby', bars: 3, detect: ti.abandonedbaby },
  bearishengulfing: { name: 'Bearish engulfing', bars: 2, detect: ti.bearishengulfingpattern },
  bearishhammer: { name: 'Bearish hammer', bars: 1, detect: ti.bearishhammerstick },
  bearishharami: { name: 'Bearish harami', bars: 2, detect: ti.bearishharami },
  bearishharamicross: { name: 'Bearish harami cross', bars: 2, detect: ti.bearishharamicross },
  bearishinvertedhammer: { name: 'Bearish inverted hammer', bars: 1, detect: ti.bearishinvertedhammerstick },
  bearishmarubozu: { name: 'Bearish marubozu', bars: 1, detect: ti.bearishmarubozu },
  bearishspinningtop: { name: 'Bearish spinning top', bars: 1, detect: ti.bearishspinningtop },
  bullishengulfing: { name: 'Bullish engulfing', bars: 2, detect: ti.bullishengulfingpattern },
  bullishhammer: { name: 'Bullish hammer', bars: 1, detect: ti.bullishhammerstick },
  bullishharami: { name: 'Bullish harami', bars: 2, detect: ti.bullishharami },
  bullishharamicross: { name: 'Bullish harami cross', bars: 2, detect: ti.bullishharamicross },
  bullishinvertedhammer: { name: 'Bullish inverted hammer', bars: 1, detect: ti.bullishinvertedhammerstick },
  bullishmarubozu: { name: 'Bullish marubozu', bars: 1, detect: ti.bullishmarubozu },
  bullishspinningtop: { name: 'Bullish spinning top', bars: 1, detect: ti.bullishspinningtop },
  darkcloudcover: { name: 'Dark cloud cover', bars: 2, detect: ti.darkcloudcover },
  doji: { name: 'Doji', bars: 1, detect: ti.doji },
  downsidetasukigap: { name: 'Downside Tasuki gap', bars: 3, detect: ti.downsidetasukigap },
  dragonflydoji: { name: 'Dragonfly doji', bars: 1, detect: ti.dragonflydoji },
  eveningdojistar: { name: 'Evening doji star', bars: 3, detect: ti.eveningdojistar },
  eveningstar: { name: 'Evening star', bars: 3, detect: ti.eveningstar },
  gravestonedoji: { name: 'Gravestone doji', bars: 1, detect: ti.gravestonedoji },
  hammer: { name: 'Hammer (confirmed)', bars: 5, detect: ti.hammerpattern },
  hammerunconfirmed: { name: 'Hammer (unconfirmed)', bars: 5, detect: ti.hammerpatternunconfirmed },
  hangingman: { name: 'Hanging man (confirmed)', bars: 5, detect: ti.hangingman },
  hangingmanunconfirmed: { name: 'Hanging man (unconfirmed)', bars: 5, detect: ti.hangingmanunconfirmed },
  morningdojistar: { name: 'Morning doji star', bars: 3, detect: ti.morningdojistar },
  morningstar: { name: 'Morning star', bars: 3, detect: ti.morningstar },
  piercingline: { name: 'Piercing line', bars: 2, detect: ti.piercingline },
  shootingstar: { name: 'Shooting star (confirmed)', bars: 5, detect: ti.shootingstar },
  shootingstarunconfirmed: { name: 'Shooting star (unconfirmed)', bars: 5, detect: ti.shootingstarunconfirmed },
  threeblackcrows: { name: 'Three black crows', bars: 3, detect: ti.threeblackcrows },
  threewhitesoldiers: { name: 'Three white soldiers', bars: 3, detect: ti.threewhitesoldiers },
  tweezerbottom: { name: 'Tweezer bottom', bars: 5, detect: ti.tweezerbottom },
  tweezertop: { name: 'Tweezer top', bars: 5, detect: ti.tweezertop },
  bullish: { name: 'Any bullish pattern', bars: 5, detect: ti.bullish },
  bearish: { name: 'Any bearish pattern', bars: 5, detect: ti.bearish },
};

/** 1 where the pattern completes on that bar, 0 where it does not, NaN before enough bars exist. */
export function detectCandlestick(s: BarSeries, bars: number, detect: (w: OhlcWindow) => boolean): Float64Array {
  const out = nanArray(s.length);
  for (let i = bars - 1; i < s.length; i++) {
    const from = i - bars + 1;
    const w: OhlcWindow = {
      open: list(s.open.subarray(from, i + 1)),
      high: list(s.high.subarray(from, i + 1)),
      low: list(s.low.subarray(from, i + 1)),
      close: list(s.close.subarray(from, i + 1)),
    };
    out[i] = detect(w) ? 1 : 0;
  }
  return out;
}
