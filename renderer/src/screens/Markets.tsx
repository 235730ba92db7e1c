import { lazy, Suspense, useEffect, useState } from 'react';
import { CHART_PAINTED, PriceChart } from '../chart/PriceChart';
import { Split } from '../components/Split';
import { fmtMoney, fmtSigned } from '../lib/format';
import { useTrading } from '../store/trading';
import { ChartToolbar } from './ChartToolbar';
import { LivePanel } from './LivePanel';
import { OrderTicket } from './OrderTicket';

// The grids (AG Grid) load beside the chart, not before it.
const Blotters = lazy(() => import('./Blotters').then((m) => ({ default: m.Blotters })));

/** True once the chart has drawn (or after a while without data), so the grids never delay it. */
function useAfterChart(maxWaitMs = 2000): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const go = () => setReady(true);
    const timer = setTimeout(go, maxWaitMs);
    window.addEventListener(CHART_PAINTED, go, { once: true });
    return () => {
      clearTimeout(timer);
      window.removeEventListener(CHART_PAINTED, go);
    };
  }, [maxWaitMs]);
  return ready;
}

function AccountStrip() {
  const a = useTrading((s) => s.account);
  return (
    <section className="account" aria-label="Account">
      <dl>
        <dt>Equity</dt>
        <dd className="num">{fmtMoney(a?.equity)}</dd>
        <dt>Cash</dt>
        <dd className="num">{fmtMoney(a?.cash)}</dd>
        <dt>Unrealized</dt>
        <dd className={`num ${(a?.unrealizedPnl ?? 0) >= 0 ? 'up' : 'down'}`}>{fmtSigned(a?.unrealizedPnl)}</dd>
        <dt>Realized</dt>
        <dd className={`num ${(a?.realizedPnl ?? 0) >= 0 ? 'up' : 'down'}`}>{fmtSigned(a?.realizedPnl)}</dd>
        <dt>Fees</dt>
        <dd className="num">{fmtMoney(a?.feesPaid)}</dd>
      </dl>
    </section>
  );
}

export function Markets() {
  const showGrids = useAfterChart();
  return (
    <Split id="markets.side" direction="row" initial={300} min={260} max={520} label="Resize order ticket">
      <Split id="markets.blotters" direction="column" initial={240} min={120} max={700} label="Resize blotters">
        <div className="panel chart-panel">
          <ChartToolbar />
          <PriceChart />
        </div>
        <div className="panel">
          <Suspense fallback={<div className="pad dim">Loading blotters…</div>}>{showGrids ? <Blotters /> : <div className="pad dim">Loading blotters…</div>}</Suspense>
        </div>
      </Split>
      <div className="panel side-panel">
        <OrderTicket />
        <AccountStrip />
        <LivePanel />
      </div>
    </Split>
  );
}
