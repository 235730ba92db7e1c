/** The paper venue's terms on the desk: Kraken-like taker fee (0.26%) and 5 bps of slippage on market and stop fills. */
export const PAPER_FEE = 0.0026;
export const PAPER_SLIPPAGE_BPS = 5;

/** The same as a gap report's backtest twin takes them: fee and slippage as fractions. */
export const PAPER_TERMS = { fee: PAPER_FEE, slippage: PAPER_SLIPPAGE_BPS / 10_000 } as const;
