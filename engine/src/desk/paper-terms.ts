/** The paper venue's terms on the desk: Kraken-like taker fee (0.26%) and 5 bps of slippage on market and stop fills. */
export const PAPER_FEE = 0.0026;
export const PAPER_SLIPPAGE_BPS = 5;
