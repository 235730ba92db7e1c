import { PriceChart } from '../chart/PriceChart';
import { Split } from '../components/Split';
import { fmtMoney, fmtSigned } from '../lib/format';
import { useTrading } from '../store/trading';
import { Blotters } from './Blotters';
import { ChartToolbar } from './ChartToolbar';
import { OrderTicket } from './OrderTicket';

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
  return (
    <Split id="markets.side" direction="row" initial={300} min={260} max={520} label="Resize order ticket">
      <Split id="markets.blotters" direction="column" initial={240} min={120} max={700} label="Resize blotters">
        <div className="panel chart-panel">
          <ChartToolbar />
          <PriceChart />
        </div>
        <div className="panel">
          <Blotters />
        </div>
      </Split>
      <div className="panel side-panel">
        <OrderTicket />
        <AccountStrip />
      </div>
    </Split>
  );
}
