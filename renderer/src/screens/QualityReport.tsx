import type { QualityReportDto } from '../../../engine/protocol';
import { fmtTime } from '../lib/format';

const KINDS = [
  { key: 'gaps', label: 'Gaps', color: '#ef5350' },
  { key: 'stale', label: 'Stale', color: '#f0b429' },
  { key: 'outliers', label: 'Outliers', color: '#c77dff' },
  { key: 'duplicates', label: 'Duplicates', color: '#4c9ffe' },
] as const;

/**
 * Where a dataset's problems are along its time: one row per kind, one cell per bucket,
 * darker where more of the bucket is affected. Hover a cell for its time and counts.
 */
export function QualityStrip({ r }: { r: QualityReportDto }) {
  const n = r.strip.buckets.length;
  const w = 600;
  const rowH = 12;
  const cell = w / Math.max(1, n);
  const barsPerBucket = Math.max(1, r.strip.bucketMs / Math.max(1, (r.to! - r.from!) / Math.max(1, r.rows)));
  return (
    <svg className="quality-strip" viewBox={`0 0 ${w + 70} ${KINDS.length * (rowH + 3)}`} role="img" aria-label={`Quality strip ${r.symbol} ${r.timeframe}`}>
      {KINDS.map((k, row) => (
        <g key={k.key} transform={`translate(0 ${row * (rowH + 3)})`}>
          <text x={0} y={rowH - 2} fontSize={9} fill="#8793a3">
            {k.label}
          </text>
          <rect x={70} y={0} width={w} height={rowH} fill="#0f1217" />
          {r.strip.buckets.map((b, i) => {
            const v = b[k.key];
            if (v <= 0) return null;
            const share = k.key === 'gaps' || k.key === 'stale' ? Math.min(1, v / barsPerBucket) : 1;
            return (
              <rect key={i} x={70 + i * cell} y={0} width={Math.max(1, cell)} height={rowH} fill={k.color} opacity={0.35 + 0.65 * share} data-kind={k.key}>
                <title>{`${fmtTime(r.strip.from + i * r.strip.bucketMs)}: ${v} ${k.label.toLowerCase()}`}</title>
              </rect>
            );
          })}
        </g>
      ))}
    </svg>
  );
}

export function QualityReportView({ r }: { r: QualityReportDto }) {
  const int = (n: number) => n.toLocaleString('en-US');
  return (
    <section className="quality" aria-label={`Quality report ${r.symbol} ${r.timeframe}`}>
      <h3>
        Quality: {r.symbol} {r.timeframe}
      </h3>
      <p className="small dim">
        {int(r.rows)} bars{r.from !== null ? `, ${fmtTime(r.from)} … ${fmtTime(r.to!)}` : ''}
      </p>
      <dl className="report-stats">
        <dt>Gaps</dt>
        <dd className={`num ${r.gaps.count ? 'warn' : ''}`} aria-label="Gaps">
          {int(r.gaps.count)}
        </dd>
        <dt>Missing bars</dt>
        <dd className="num">{int(r.gaps.missingBars)}</dd>
        <dt>At the exchange</dt>
        <dd className="num">{int(r.gaps.atExchange)}</dd>
        <dt>Duplicates merged</dt>
        <dd className="num">{int(r.duplicatesMerged)}</dd>
        <dt>Out of order</dt>
        <dd className="num">{int(r.outOfOrder)}</dd>
        <dt>Rejected</dt>
        <dd className="num">{int(r.rejected)}</dd>
        <dt>Stale stretches</dt>
        <dd className={`num ${r.stale.count ? 'warn' : ''}`}>{int(r.stale.count)}</dd>
        <dt>Outliers</dt>
        <dd className={`num ${r.outliers.count ? 'warn' : ''}`} aria-label="Outliers">
          {int(r.outliers.count)}
        </dd>
      </dl>
      <QualityStrip r={r} />
      {r.gaps.spans.length > 0 && (
        <details>
          <summary className="small">Gaps</summary>
          {r.gaps.spans.slice(0, 50).map((g) => (
            <p key={g.from} className="small num">
              {fmtTime(g.from)} … {fmtTime(g.to)} — {int(g.bars)} bars
            </p>
          ))}
        </details>
      )}
      {r.outliers.points.length > 0 && (
        <details>
          <summary className="small">Outliers (beyond {r.outliers.k} deviations)</summary>
          {r.outliers.points.slice(0, 50).map((o) => (
            <p key={o.ts} className="small num">
              {fmtTime(o.ts)} — {o.price} ({o.deviations.toFixed(1)})
            </p>
          ))}
        </details>
      )}
    </section>
  );
}
