import type { BacktestResult } from '../../../engine/protocol';
import { fmtPct } from '../lib/format';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Months as columns, years as rows, each year's own return at the end: the table a trader reads a run's rhythm from. */
export function returnsGrid(periods: NonNullable<BacktestResult['periods']>): { year: string; months: (number | undefined)[]; total: number | undefined }[] {
  const years = periods.yearly.map((y) => y.period);
  return years.map((year) => ({
    year,
    months: MONTHS.map((_, m) => periods.monthly.find((p) => p.period === `${year}-${String(m + 1).padStart(2, '0')}`)?.ret),
    total: periods.yearly.find((p) => p.period === year)?.ret,
  }));
}

export function PeriodReturns({ result }: { result: BacktestResult }) {
  if (!result.periods || result.periods.monthly.length === 0) return null;
  const rows = returnsGrid(result.periods);
  return (
    <table className="returns-table" aria-label="Monthly and yearly returns">
      <thead>
        <tr>
          <th scope="col">Year</th>
          {MONTHS.map((m) => (
            <th key={m} scope="col" className="num">
              {m}
            </th>
          ))}
          <th scope="col" className="num">
            Full year
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.year}>
            <th scope="row">{r.year}</th>
            {r.months.map((v, i) => (
              <Cell key={i} v={v} />
            ))}
            <Cell v={r.total} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Cell({ v }: { v: number | undefined }) {
  return <td className={`num ${v === undefined ? 'dim' : v >= 0 ? 'up' : 'down'}`}>{v === undefined ? '' : fmtPct(v, 2, true)}</td>;
}
