import { lazy, Suspense, useEffect, useState } from 'react';
import { CHART_PAINTED, PriceChart } from '../chart/PriceChart';
import { Split } from '../components/Split';
import { Tabs } from '../components/Tabs';
import { fmtMoney, fmtSigned } from '../lib/format';
import { useAlerts } from '../store/alerts';
import { useMarket } from '../store/market';
import { useTrading } from '../store/trading';
import { useUi, type SidePanel } from '../store/ui';
import { ChartToolbar } from './ChartToolbar';
import { LivePanel } from './LivePanel';
import { OrderTicket } from './OrderTicket';

// The grids (AG Grid) load beside the chart, not before it; so do the side panel's other tabs.
const Blotters = lazy(() => import('./Blotters').then((m) => ({ default: m.Blotters })));
const Watchlist = lazy(() => import('./Watchlist').then((m) => ({ default: m.Watchlist })));
const AlertsPanel = lazy(() => import('./AlertsPanel').then((m) => ({ default: m.AlertsPanel })));

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

/** One, two or four charts; a press on one makes it the chart the toolbar, ticket and watchlist act on. */
function ChartGrid() {
  const count = useMarket((s) => s.count);
  const active = useMarket((s) => s.active);
  const setActive = useMarket((s) => s.setActive);
  return (
    <div className={`chart-grid n${count}`}>
      {Array.from({ length: count }, (_, i) => (
        <section key={i} className={`chart-cell ${count > 1 && i === active ? 'active' : ''}`} aria-label={`Chart ${i + 1}`} aria-current={count > 1 && i === active ? 'true' : undefined} onPointerDownCapture={() => i !== active && setActive(i)}>
          <PriceChart slot={i} />
        </section>
      ))}
    </div>
  );
}

function SidePanelTabs() {
  const side = useUi((s) => s.side);
  const setSide = useUi((s) => s.setSide);
  const armed = useAlerts((s) => s.rules.filter((r) => r.enabled).length);
  return (
    <Tabs<SidePanel>
      label="Side panel"
      active={side}
      onChange={setSide}
      tabs={[
        { key: 'ticket', label: 'Ticket' },
        { key: 'watchlist', label: 'Watchlist' },
        { key: 'alerts', label: 'Alerts', badge: armed },
      ]}
    >
      <div className="side-body">
        {side === 'ticket' && <OrderTicket />}
        <Suspense fallback={<p className="dim">Loading…</p>}>
          {side === 'watchlist' && <Watchlist />}
          {side === 'alerts' && <AlertsPanel />}
        </Suspense>
      </div>
    </Tabs>
  );
}

export function Markets() {
  const showGrids = useAfterChart();
  return (
    <Split id="markets.side" direction="row" initial={300} min={260} max={520} label="Resize order ticket">
      <Split id="markets.blotters" direction="column" initial={240} min={120} max={700} label="Resize blotters">
        <div className="panel chart-panel">
          <ChartToolbar />
          <ChartGrid />
        </div>
        <div className="panel">
          <Suspense fallback={<div className="pad dim">Loading blotters…</div>}>{showGrids ? <Blotters /> : <div className="pad dim">Loading blotters…</div>}</Suspense>
        </div>
      </Split>
      <div className="panel side-panel">
        <SidePanelTabs />
        <AccountStrip />
        <LivePanel />
      </div>
    </Split>
  );
}
