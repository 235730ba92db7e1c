import { useEffect, useState } from 'react';
import type { Params, RiskAnalyticsDto } from '../../../engine/protocol';
import { fmtSigned, fmtTime } from '../lib/format';
import { client, errorText } from '../store/wire';
import { confidenceLabel, fmtSmallPct, varTable } from './analytics';

/**
 * VaR and ES by method and confidence, plus the worst historical days replayed on the book,
 * from 'risk.analytics' (the portfolio, or one backtest run). `refresh` re-asks.
 */
export function RiskAnalytics({ request, refresh = 0, title }: { request: Params<'risk.analytics'>; refresh?: number; title: string }) {
  const [dto, setDto] = useState<RiskAnalyticsDto | undefined>();
  const [error, setError] = useState<string | undefined>();
  const key = JSON.stringify(request);
  useEffect(() => {
    let stale = false;
    setError(undefined);
    client()
      .call('risk.analytics', JSON.parse(key) as Params<'risk.analytics'>)
      .then((d) => !stale && setDto(d))
      .catch((e) => !stale && setError(errorText(e)));
    return () => {
      stale = true;
    };
  }, [key, refresh]);

  const table = dto ? varTable(dto) : undefined;
  return (
    <section className="analytics" aria-label={title}>
      <h3>{title}</h3>
      {error && (
        <p className="down" role="alert">
          {error}
        </p>
      )}
      {!dto && !error && <p className="dim">Computing…</p>}
      {dto && table && (
        <>
          <p className="dim small">
            {dto.observations} returns, horizon {dto.horizonBars} bar{dto.horizonBars === 1 ? '' : 's'}, as of {fmtTime(dto.asOf)}. Losses as % of value.
          </p>
          {table.rows.length ? (
            <table className="var-table" aria-label="Value at risk">
              <thead>
                <tr>
                  <th scope="col">Method</th>
                  {table.confidences.map((c) => (
                    <th scope="col" key={`v${c}`} className="num">
                      VaR {confidenceLabel(c)}
                    </th>
                  ))}
                  {table.confidences.map((c) => (
                    <th scope="col" key={`e${c}`} className="num">
                      ES {confidenceLabel(c)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((r) => (
                  <tr key={r.method}>
                    <th scope="row">{r.label}</th>
                    {r.cells.map((c, i) => (
                      <td key={`v${i}`} className="num">
                        {fmtSmallPct(c.var)}
                      </td>
                    ))}
                    {r.cells.map((c, i) => (
                      <td key={`e${i}`} className="num">
                        {fmtSmallPct(c.es)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="dim">No figures yet.</p>
          )}
          {dto.stress.length > 0 && (
            <table className="var-table" aria-label="Stress days">
              <thead>
                <tr>
                  <th scope="col">Worst day</th>
                  <th scope="col" className="num">
                    PnL
                  </th>
                  <th scope="col" className="num">
                    % of value
                  </th>
                </tr>
              </thead>
              <tbody>
                {dto.stress.map((d) => (
                  <tr key={d.day}>
                    <th scope="row">{d.day}</th>
                    <td className={`num ${d.pnl >= 0 ? 'up' : 'down'}`}>{fmtSigned(d.pnl)}</td>
                    <td className={`num ${d.pnlPct >= 0 ? 'up' : 'down'}`}>{fmtSmallPct(d.pnlPct)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {dto.notes.length > 0 && (
            <ul className="dim small notes">
              {dto.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
