/** Indicators: exact batch and streaming forms, and the catalogue over them and the long tail. */
export {
  sma,
  ema,
  rsi,
  atr,
  macd,
  bollinger,
  donchian,
  zscore,
  rollingVolatility,
  logReturns,
  logReturn,
  annualise,
  annualiseSeries,
  periodsPerYear,
  type MacdOutput,
  type BollingerOutput,
  type DonchianOutput,
} from './batch';
export {
  StreamingSMA,
  StreamingEMA,
  StreamingRSI,
  StreamingATR,
  StreamingMACD,
  StreamingBollinger,
  StreamingDonchian,
  StreamingZScore,
  StreamingVolatility,
  StreamingLogReturn,
} from './streaming';
export { CATALOGUE, computeIndicator, findIndicator, resolveParams, type BarField, type IndicatorSpec, type OutputSpec, type ParamSpec } from './catalogue';
export type { Outputs as IndicatorOutputs } from './long-tail';
