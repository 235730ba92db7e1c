/** The strategies that ship with Keel. Adding one is adding its module here. */
import breakout from './breakout';
import meanReversion from './mean-reversion';
import smaCross from './sma-cross';
import trend from './trend';

export const strategies = [smaCross, trend, meanReversion, breakout];
