import { chartTimeframes, symbolsOf, useMarket } from '../store/market';
import { DrawingTools } from './DrawingTools';
import { IndicatorMenu } from './IndicatorMenu';
import { LayoutControls } from './LayoutControls';
import { ReplayControls } from './ReplayControls';
import { TradingSettingsButton } from './TradingSettings';

export function ChartToolbar() {
  const datasets = useMarket((s) => s.datasets);
  const symbol = useMarket((s) => s.symbol);
  const timeframe = useMarket((s) => s.timeframe);
  const select = useMarket((s) => s.select);
  const symbols = symbolsOf(datasets);
  const tfs = symbol ? chartTimeframes(datasets, symbol) : [];
  return (
    <div className="toolbar" role="toolbar" aria-label="Chart">
      <label>
        <span className="sr-only">Symbol</span>
        <select aria-label="Symbol" value={symbol ?? ''} onChange={(e) => select(e.target.value)} disabled={symbols.length === 0}>
          {symbols.length === 0 && <option value="">no data</option>}
          {symbols.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <div role="radiogroup" aria-label="Timeframe" className="seg">
        {tfs.map(({ tf, held }) => (
          <button
            key={tf}
            role="radio"
            aria-checked={tf === timeframe}
            className={held ? undefined : 'resampled'}
            title={held ? `${tf}: stored` : `${tf}: resampled from stored bars`}
            onClick={() => symbol && select(symbol, tf)}
          >
            {tf}
          </button>
        ))}
      </div>
      <IndicatorMenu />
      <DrawingTools />
      <LayoutControls />
      <TradingSettingsButton />
      <ReplayControls />
    </div>
  );
}
