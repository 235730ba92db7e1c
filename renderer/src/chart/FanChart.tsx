import type { MonteCarloMethodDto } from '../../../engine/protocol';
import { palette } from '../theme';

/** Monte Carlo paths' equity (start 1) by trades compounded: 5–95% and 25–75% bands and the median. */
export function FanChart({ m, label }: { m: MonteCarloMethodDto; label: string }) {
  const w = 560;
  const h = 240;
  const pad = { l: 48, r: 12, t: 12, b: 28 };
  const n = m.steps.length;
  const lo = Math.min(...m.p5);
  const hi = Math.max(...m.p95);
  const span = hi > lo ? hi - lo : 1;
  const last = m.steps[n - 1] || 1;
  const x = (k: number) => pad.l + (m.steps[k]! / last) * (w - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - (v - lo) / span) * (h - pad.t - pad.b);
  const line = (vs: number[]) => vs.map((v, k) => `${k ? 'L' : 'M'}${x(k).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const band = (a: number[], b: number[]) => `${line(b)}${[...a.keys()].reverse().map((k) => `L${x(k).toFixed(1)},${y(a[k]!).toFixed(1)}`).join('')}Z`;
  const ticks = [lo, (lo + hi) / 2, hi];
  return (
    <svg className="fan-chart" role="img" aria-label={label} viewBox={`0 0 ${w} ${h}`} width="100%" preserveAspectRatio="xMinYMin meet">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={pad.l} x2={w - pad.r} y1={y(t)} y2={y(t)} stroke={palette.grid} />
          <text x={pad.l - 4} y={y(t) + 3} fill={palette.textDim} fontSize={10} textAnchor="end">
            {`${((t - 1) * 100).toFixed(0)}%`}
          </text>
        </g>
      ))}
      <line x1={pad.l} x2={w - pad.r} y1={y(1)} y2={y(1)} stroke={palette.textDim} strokeDasharray="3 3" />
      <path d={band(m.p5, m.p95)} fill="rgba(76,159,254,0.18)" />
      <path d={band(m.p25, m.p75)} fill="rgba(76,159,254,0.35)" />
      <path d={line(m.p50)} fill="none" stroke={palette.accent} strokeWidth={2} />
      <text x={pad.l} y={h - 8} fill={palette.textDim} fontSize={10}>
        0
      </text>
      <text x={w - pad.r} y={h - 8} fill={palette.textDim} fontSize={10} textAnchor="end">
        {`${last} trades`}
      </text>
    </svg>
  );
}
