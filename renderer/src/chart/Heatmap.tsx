import type { HeatmapDto } from '../../../engine/protocol';
import { palette } from '../theme';

/** Red (worst) through amber to green (best), on the panel's dark background. */
function colour(t: number): string {
  const lerp = (a: number, b: number, u: number) => Math.round(a + (b - a) * u);
  const [r1, g1, b1] = t < 0.5 ? [239, 83, 80] : [240, 180, 41];
  const [r2, g2, b2] = t < 0.5 ? [240, 180, 41] : [38, 166, 154];
  const u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
  return `rgb(${lerp(r1, r2, u)},${lerp(g1, g2, u)},${lerp(b1, b2, u)})`;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));

/** The best objective over two parameters: one cell per pair, empty where nothing qualified. */
export function Heatmap({ data, objective, highlight }: { data: HeatmapDto; objective: string; highlight?: { x: unknown; y: unknown } }) {
  const cols = data.xs.length;
  const rows = data.ys.length;
  const vals = data.z.flat().filter((v): v is number => v !== null);
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const pad = { l: 54, r: 12, t: 26, b: 40 };
  const w = 560;
  const cw = Math.max(4, (w - pad.l - pad.r) / Math.max(1, cols));
  const ch = Math.max(4, Math.min(24, 300 / Math.max(1, rows)));
  const h = pad.t + rows * ch + pad.b;
  const every = (n: number, max: number) => Math.max(1, Math.ceil(n / max));
  const label = `Heatmap of the best ${objective} by ${data.x} and ${data.y}`;
  return (
    <figure className="heatmap" aria-label={label}>
      <svg role="img" aria-label={label} viewBox={`0 0 ${w} ${h}`} width="100%" preserveAspectRatio="xMinYMin meet">
        <text x={pad.l} y={14} fill={palette.textDim} fontSize={11}>
          {vals.length ? `${objective}: ${fmt(lo)} … ${fmt(hi)}` : 'no trial qualified'}
        </text>
        {data.z.map((row, j) =>
          row.map((v, i) => {
            const isBest = highlight && data.xs[i] === highlight.x && data.ys[j] === highlight.y;
            return (
              <rect
                key={`${i}-${j}`}
                x={pad.l + i * cw}
                y={pad.t + (rows - 1 - j) * ch}
                width={Math.max(1, cw - 1)}
                height={Math.max(1, ch - 1)}
                fill={v === null ? palette.panelAlt : colour(hi > lo ? (v - lo) / (hi - lo) : 0.5)}
                stroke={isBest ? palette.text : 'none'}
                strokeWidth={isBest ? 2 : 0}
              >
                <title>{`${data.x} ${String(data.xs[i])}, ${data.y} ${String(data.ys[j])}: ${v === null ? 'no qualifying trial' : fmt(v)}`}</title>
              </rect>
            );
          }),
        )}
        {data.xs.map((x, i) =>
          i % every(cols, 12) ? null : (
            <text key={`x${i}`} x={pad.l + (i + 0.5) * cw} y={pad.t + rows * ch + 14} fill={palette.textDim} fontSize={10} textAnchor="middle">
              {String(x)}
            </text>
          ),
        )}
        {data.ys.map((y, j) =>
          j % every(rows, 14) ? null : (
            <text key={`y${j}`} x={pad.l - 6} y={pad.t + (rows - 1 - j + 0.5) * ch + 3} fill={palette.textDim} fontSize={10} textAnchor="end">
              {String(y)}
            </text>
          ),
        )}
        <text x={pad.l + (cols * cw) / 2} y={h - 6} fill={palette.text} fontSize={11} textAnchor="middle">
          {data.x}
        </text>
        <text x={12} y={pad.t + (rows * ch) / 2} fill={palette.text} fontSize={11} textAnchor="middle" transform={`rotate(-90 12 ${pad.t + (rows * ch) / 2})`}>
          {data.y}
        </text>
      </svg>
    </figure>
  );
}
