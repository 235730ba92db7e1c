/**
 * One self-contained HTML report of any recorded run: the charts are inline SVG drawn here,
 * the styles inline, no script, no font, no image and no link to fetch, and a CSP that
 * forbids fetching anything, so the file opens offline and shows the same thing anywhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { heatmap, type Heatmap } from './heatmap';
import { splitCsvLine } from './montecarlo';
import type { RunManifest } from './run-record';

const W = 880;

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fmt(v: unknown, digits = 4): string {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e15 ? v.toLocaleString('en-US') : String(Number(v.toPrecision(digits)));
  return String(v);
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= step0)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface Line {
  name: string;
  color: string;
  ys: ArrayLike<number>;
  width?: number;
}

/** A line chart (with optional filled bands between pairs of lines) as inline SVG. */
export function lineChart(title: string, xs: ArrayLike<number>, lines: Line[], opts: { xTime?: boolean; bands?: { lo: ArrayLike<number>; hi: ArrayLike<number>; color: string }[]; height?: number; yFormat?: (v: number) => string } = {}): string {
  const h = opts.height ?? 260;
  const pad = { l: 70, r: 16, t: 28, b: 34 };
  const n = xs.length;
  if (n === 0) return `<p class="dim">${esc(title)}: no data</p>`;
  const step = Math.max(1, Math.ceil(n / 1500));
  const idx: number[] = [];
  for (let i = 0; i < n; i += step) idx.push(i);
  if (idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  let ylo = Infinity;
  let yhi = -Infinity;
  const all = [...lines.map((l) => l.ys), ...(opts.bands ?? []).flatMap((b) => [b.lo, b.hi])];
  for (const ys of all) for (const i of idx) if (Number.isFinite(ys[i]!)) (ylo = Math.min(ylo, ys[i]!)), (yhi = Math.max(yhi, ys[i]!));
  if (!(yhi > ylo)) (ylo -= 1), (yhi += 1);
  const x0 = xs[0]!;
  const x1 = xs[n - 1]! === x0 ? x0 + 1 : xs[n - 1]!;
  const px = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * (W - pad.l - pad.r);
  const py = (y: number) => pad.t + (1 - (y - ylo) / (yhi - ylo)) * (h - pad.t - pad.b);
  const path = (ys: ArrayLike<number>) => idx.map((i, k) => `${k ? 'L' : 'M'}${px(xs[i]!).toFixed(1)},${py(ys[i]!).toFixed(1)}`).join('');
  const yf = opts.yFormat ?? ((v: number) => fmt(v, 4));
  const grid = niceTicks(ylo, yhi)
    .map((v) => `<line x1="${pad.l}" x2="${W - pad.r}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" class="grid"/><text x="${pad.l - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${esc(yf(v))}</text>`)
    .join('');
  const xt = [0, 0.25, 0.5, 0.75, 1].map((f) => x0 + f * (x1 - x0));
  const xlabels = xt.map((x, k) => `<text x="${px(x).toFixed(1)}" y="${h - 10}" text-anchor="${k === 0 ? 'start' : k === xt.length - 1 ? 'end' : 'middle'}">${esc(opts.xTime ? day(x) : fmt(Math.round(x)))}</text>`).join('');
  const bands = (opts.bands ?? [])
    .map((b) => {
      const up = idx.map((i, k) => `${k ? 'L' : 'M'}${px(xs[i]!).toFixed(1)},${py(b.hi[i]!).toFixed(1)}`).join('');
      const down = [...idx].reverse().map((i) => `L${px(xs[i]!).toFixed(1)},${py(b.lo[i]!).toFixed(1)}`).join('');
      return `<path d="${up}${down}Z" fill="${b.color}" stroke="none"/>`;
    })
    .join('');
  const legend = lines.map((l, k) => `<text x="${pad.l + 8 + k * 150}" y="16" fill="${l.color}">■ ${esc(l.name)}</text>`).join('');
  const paths = lines.map((l) => `<path d="${path(l.ys)}" fill="none" stroke="${l.color}" stroke-width="${l.width ?? 1.5}"/>`).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}">${grid}${bands}${paths}${xlabels}${legend}</svg></figure>`;
}

function color(t: number): string {
  // red (low) → yellow → green (high)
  const r = t < 0.5 ? 220 : Math.round(220 - (t - 0.5) * 2 * 180);
  const g = t < 0.5 ? Math.round(60 + t * 2 * 160) : 200;
  return `rgb(${r},${g},70)`;
}

export function heatmapSvg(title: string, hm: Heatmap): string {
  const cols = hm.xs.length;
  const rows = hm.ys.length;
  if (cols === 0 || rows === 0) return '';
  const pad = { l: 70, r: 20, t: 30, b: 40 };
  const cw = Math.max(6, Math.min(40, (W - pad.l - pad.r) / cols));
  const ch = Math.max(6, Math.min(28, 420 / rows));
  const h = pad.t + rows * ch + pad.b;
  const vals = hm.z.flat().filter((v): v is number => v !== null);
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  let cells = '';
  hm.z.forEach((row, j) =>
    row.forEach((v, i) => {
      const x = pad.l + i * cw;
      const y = pad.t + (rows - 1 - j) * ch;
      const fill = v === null ? '#ddd' : color(hi > lo ? (v - lo) / (hi - lo) : 0.5);
      cells += `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${cw.toFixed(1)}" height="${ch.toFixed(1)}" fill="${fill}"><title>${esc(hm.x)}=${esc(hm.xs[i])} ${esc(hm.y)}=${esc(hm.ys[j])}: ${fmt(v)}</title></rect>`;
    }),
  );
  const every = (n: number, max: number) => Math.max(1, Math.ceil(n / max));
  const xl = hm.xs.map((v, i) => (i % every(cols, 12) ? '' : `<text x="${(pad.l + (i + 0.5) * cw).toFixed(1)}" y="${pad.t + rows * ch + 14}" text-anchor="middle">${esc(v)}</text>`)).join('');
  const yl = hm.ys.map((v, j) => (j % every(rows, 16) ? '' : `<text x="${pad.l - 6}" y="${(pad.t + (rows - 1 - j + 0.5) * ch + 4).toFixed(1)}" text-anchor="end">${esc(v)}</text>`)).join('');
  const axes = `<text x="${pad.l + (cols * cw) / 2}" y="${h - 6}" text-anchor="middle">${esc(hm.x)}</text><text x="12" y="${pad.t + (rows * ch) / 2}" transform="rotate(-90 12 ${pad.t + (rows * ch) / 2})" text-anchor="middle">${esc(hm.y)}</text>`;
  const scale = `<text x="${pad.l}" y="18">low ${fmt(lo)}</text><text x="${pad.l + 160}" y="18">high ${fmt(hi)}</text><rect x="${pad.l + 110}" y="9" width="12" height="12" fill="${color(0)}"/><rect x="${pad.l + 270}" y="9" width="12" height="12" fill="${color(1)}"/>`;
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${Math.max(W, pad.l + cols * cw + pad.r)} ${h}" width="${Math.max(W, pad.l + cols * cw + pad.r)}" height="${h}">${scale}${cells}${xl}${yl}${axes}</svg></figure>`;
}

/** A cell: numbers (and numeric CSV text) to 6 significant digits, the rest as text. */
function cellText(c: unknown): string {
  if (typeof c === 'number') return fmt(c, 6);
  if (typeof c === 'string' && c !== '' && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(c)) return fmt(Number(c), 6);
  return String(c ?? '');
}

function table(head: string[], rows: unknown[][], label: string): string {
  const thead = head.some((h) => h !== '') ? `<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` : '';
  return `<table aria-label="${esc(label)}">${thead}<tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(cellText(c))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function readCsv(path: string): { head: string[]; rows: string[][] } {
  if (!existsSync(path)) return { head: [], rows: [] };
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  return { head: splitCsvLine(lines[0] ?? ''), rows: lines.slice(1).map(splitCsvLine) };
}

const readJson = (path: string): Record<string, unknown> => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {});
const cellNum = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));

function equitySection(dir: string, title: string): string {
  const eq = readCsv(join(dir, 'equity.csv'));
  if (eq.rows.length === 0) return '';
  const ts = eq.rows.map((r) => Number(r[0]));
  const e = eq.rows.map((r) => Number(r[1]));
  let peak = -Infinity;
  const dd = e.map((v) => ((peak = Math.max(peak, v)), peak > 0 ? v / peak - 1 : 0));
  const metrics = readJson(join(dir, 'metrics.json'));
  return (
    lineChart(`${title}: equity`, ts, [{ name: 'equity', color: '#1f6feb', ys: e }], { xTime: true }) +
    lineChart(`${title}: drawdown`, ts, [{ name: 'drawdown', color: '#d1242f', ys: dd }], { xTime: true, height: 160, yFormat: (v) => `${(v * 100).toFixed(0)}%` }) +
    table(['metric', 'value'], Object.entries(metrics).map(([k, v]) => [k, v]), `${title} metrics`)
  );
}

function tradesSection(dir: string, max = 200): string {
  const t = readCsv(join(dir, 'trades.csv'));
  if (t.rows.length === 0) return '<p class="dim">No closed trades.</p>';
  const time = (c: string) => new Date(Number(c)).toISOString().slice(0, 16).replace('T', ' ');
  return `<h3>Trades (${t.rows.length}${t.rows.length > max ? `, first ${max}` : ''})</h3>` + table(t.head, t.rows.slice(0, max).map((r) => r.map((c, i) => (i === 0 || i === 2 ? time(c) : c))), 'Trades');
}

function optimizeBody(dir: string, m: RunManifest): string {
  const s = readJson(join(dir, 'summary.json'));
  const trials = readCsv(join(dir, 'trials.csv'));
  const objective = String(s.objective ?? 'sharpe');
  const searched = (m.inputs.ranges as string[] | undefined)?.map((r) => r.split('=')[0]!) ?? [];
  const paramCols = trials.head.slice(0, trials.head.indexOf('total_return') >= 0 ? trials.head.indexOf('total_return') : trials.head.length);
  const oi = trials.head.indexOf(objective);
  const ti = trials.head.indexOf('trades');
  const minTrades = Number(s.min_trades ?? 0);
  const parsed = trials.rows.map((r) => ({
    params: Object.fromEntries(paramCols.map((p, i) => [p, Number.isNaN(Number(r[i])) ? r[i]! : Number(r[i])])),
    score: (cellNum(r[ti]) ?? 0) >= minTrades ? cellNum(r[oi]) : undefined,
  }));
  const dims = searched.length >= 2 ? searched : paramCols;
  const hm = dims.length >= 2 ? heatmapSvg(`Best ${objective} by ${dims[0]} and ${dims[1]}`, heatmap(parsed, dims[0]!, dims[1]!)) : '';
  const top = [...parsed.keys()].filter((i) => parsed[i]!.score !== undefined).sort((a, b) => parsed[b]!.score! - parsed[a]!.score!).slice(0, 20);
  const summary = table(
    ['', ''],
    [
      ['best', JSON.stringify(s.best)],
      ['objective', `${objective} = ${fmt(s.best_objective)}`],
      ['trials', s.trials],
      ['deflated Sharpe ratio', s.deflated_sharpe],
      ['probability of backtest overfitting', s.pbo],
      ['warm-up check', (s.warmup as { summary?: string } | null)?.summary ?? '–'],
      ['look-ahead check', (s.lookahead as { summary?: string } | null)?.summary ?? '–'],
    ],
    'Sweep summary',
  );
  const shown = [...paramCols, ...[objective, 'total_return', 'max_drawdown', 'sharpe', 'trades'].filter((c, i, a) => a.indexOf(c) === i && trials.head.includes(c))];
  const pick = (r: string[]) => shown.map((c) => r[trials.head.indexOf(c)]);
  return summary + hm + `<h3>Top ${top.length} trials (all of them are in trials.csv)</h3>` + table(shown, top.map((i) => pick(trials.rows[i]!)), 'Top trials') + `<h2>Best trial</h2>` + equitySection(join(dir, 'best'), 'Best trial') + tradesSection(join(dir, 'best'));
}

const KEY_METRICS = ['total_return', 'sharpe', 'max_drawdown', 'trades'];

function walkforwardBody(dir: string): string {
  const s = readJson(join(dir, 'summary.json'));
  const w = readCsv(join(dir, 'windows.csv'));
  const firstMetric = w.head.indexOf('total_return');
  const shown = [...w.head.slice(0, firstMetric < 0 ? w.head.length : firstMetric), ...KEY_METRICS.filter((k) => w.head.includes(k))];
  const rows = w.rows.map((r) => shown.map((c, i) => (i < 4 ? new Date(Number(r[w.head.indexOf(c)])).toISOString().slice(0, 16).replace('T', ' ') : r[w.head.indexOf(c)])));
  const reserve = s.reserve as { bars?: number; from?: number | null; to?: number | null } | undefined;
  const v = (s.validation as { params?: unknown; metrics?: Record<string, unknown> } | null) ?? null;
  return (
    table(
      ['', ''],
      [
        ['windows', s.windows],
        ['walk-forward efficiency', s.walk_forward_efficiency],
        ['reserve (kept back)', reserve?.bars ? `${reserve.bars} bars from ${new Date(reserve.from!).toISOString().slice(0, 16)}` : 'none'],
        ['validation on the reserve', v ? `${JSON.stringify(v.params)}: ${KEY_METRICS.map((k) => `${k} ${cellText(v.metrics?.[k])}`).join(', ')}` : 'not run (--validate)'],
      ],
      'Walk-forward summary',
    ) +
    `<h2>Stitched out-of-sample curve</h2>` +
    equitySection(join(dir, 'oos'), 'Out of sample') +
    `<h3>Windows (times: bar open, UTC; ranges [from, to))</h3>` +
    table(shown, rows, 'Windows')
  );
}

function montecarloBody(dir: string): string {
  const s = readJson(join(dir, 'summary.json')) as { methods?: Record<string, unknown>[]; original?: Record<string, number>; drawdown?: number; confidence?: number };
  const fan = readCsv(join(dir, 'fan.csv'));
  const paths = readCsv(join(dir, 'paths.csv'));
  let out = table(['', ''], [['trades', (s as Record<string, unknown>).trades], ['the run itself: final return', s.original?.final_return], ['the run itself: max drawdown', s.original?.max_drawdown]], 'Monte Carlo summary');
  out += table(
    ['method', 'paths', 'final return lower', 'median', 'upper', 'max drawdown lower', 'median', 'upper', `P(drawdown ≥ ${s.drawdown})`],
    (s.methods ?? []).map((m) => {
      const f = m.final_return as Record<string, number>;
      const d = m.max_drawdown as Record<string, number>;
      return [m.method, m.runs, f.lower, f.median, f.upper, d.lower, d.median, d.upper, m.prob_drawdown];
    }),
    `Intervals at ${s.confidence}`,
  );
  for (const method of ['shuffle', 'bootstrap']) {
    const rows = fan.rows.filter((r) => r[0] === method);
    if (rows.length === 0) continue;
    const col = (k: number) => rows.map((r) => Number(r[k]));
    const xs = col(1);
    out += lineChart(`${method}: equity of the paths by trade (5–95% and 25–75% bands, median)`, xs, [{ name: 'median', color: '#1f6feb', ys: col(4), width: 2 }], {
      bands: [
        { lo: col(2), hi: col(6), color: 'rgba(31,111,235,0.15)' },
        { lo: col(3), hi: col(5), color: 'rgba(31,111,235,0.3)' },
      ],
    });
    const finals = paths.rows.filter((r) => r[0] === method).map((r) => Number(r[2]));
    const drawdowns = paths.rows.filter((r) => r[0] === method).map((r) => Number(r[3]));
    // Every shuffle ends at the run's own final return (to rounding): only its drawdowns spread.
    if (method === 'bootstrap') out += histogram(`${method}: final return of the paths`, finals);
    out += histogram(`${method}: max drawdown of the paths`, drawdowns);
  }
  return out;
}

function histogram(title: string, values: number[], bins = 40): string {
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  const h = 180;
  const max = Math.max(...counts);
  const bw = (W - 80) / bins;
  const bars = counts.map((c, i) => `<rect x="${(70 + i * bw).toFixed(1)}" y="${(h - 30 - (c / max) * (h - 50)).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${((c / max) * (h - 50)).toFixed(1)}" fill="#1f6feb"/>`).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}">${bars}<text x="70" y="${h - 10}">${esc(fmt(lo))}</text><text x="${W - 10}" y="${h - 10}" text-anchor="end">${esc(fmt(hi))}</text></svg></figure>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:920px;color:#1f2328}h1{font-size:20px}h2{font-size:17px;margin-top:28px}h3{font-size:15px}
table{border-collapse:collapse;margin:10px 0;font-variant-numeric:tabular-nums}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}th{background:#f6f8fa}
figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}svg{display:block;max-width:100%;height:auto;background:#fff}svg text{font-size:11px;fill:#57606a}.grid{stroke:#eaeef2}.dim{color:#57606a}code{font-size:12px}`;

/** The report of the run recorded in `dir` (its run.json and outputs). */
export function runReport(dir: string, m: RunManifest): string {
  const what = m.inputs.strategy ? `${m.inputs.strategy.ref}${m.inputs.data ? ` on ${m.inputs.data.symbol} ${m.inputs.data.timeframe}` : ''}` : `trades of ${String(m.inputs.run ?? '')}`;
  const title = `Keel ${m.command}: ${what}`;
  let body: string;
  if (m.command === 'optimize') body = optimizeBody(dir, m);
  else if (m.command === 'walkforward') body = walkforwardBody(dir);
  else if (m.command === 'montecarlo') body = montecarloBody(dir);
  else body = equitySection(dir, 'Backtest') + tradesSection(dir);
  const inputs = table(
    ['input', 'value'],
    [
      ['run', m.run_id],
      ['created', m.created],
      ['Keel', m.keel],
      ['command', `keel ${m.command} ${m.args.join(' ')}`],
      ...(m.inputs.data ? [['data', `${m.inputs.data.path} (${m.inputs.data.bars} bars, ${m.inputs.data.first !== null ? day(m.inputs.data.first) : ''} – ${m.inputs.data.last !== null ? day(m.inputs.data.last) : ''}, sha256 ${m.inputs.data.sha256})`]] : []),
      ...(m.inputs.strategy ? [['strategy', `${m.inputs.strategy.ref} (source sha256 ${m.inputs.strategy.sha256})`]] : []),
      ...Object.entries(m.inputs)
        .filter(([k]) => !['data', 'strategy'].includes(k))
        .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]),
    ],
    'Inputs',
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body><h1>${esc(title)}</h1>${body}<h2>Inputs (keel rerun ${esc(m.run_id)} repeats this run)</h2>${inputs}</body></html>\n`;
}
