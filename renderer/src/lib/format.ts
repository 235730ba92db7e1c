/**
 * Number and time formatting for a desk tool: fixed decimals so columns line up, grouping
 * for big numbers, and a dash for "nothing" so an empty cell never reads as zero.
 */
const DASH = '—';

/** Decimals that show a price's significant digits: 2 for BTC at 20k, 8 for an alt at 0.0016. */
export function priceDecimals(p: number): number {
  const a = Math.abs(p);
  if (!Number.isFinite(a) || a === 0) return 2;
  if (a >= 1000) return 2;
  if (a >= 1) return 4;
  return Math.min(10, 3 - Math.floor(Math.log10(a)) + 1);
}

/** A price rounded to the decimals it is shown with (a drag or a click lands on a readable price). */
export function roundPrice(p: number): number {
  const d = priceDecimals(p);
  return Math.round(p * 10 ** d) / 10 ** d;
}

export function fmtPrice(p: number | null | undefined, decimals?: number): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return DASH;
  const d = decimals ?? priceDecimals(p);
  return p.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export function fmtQty(q: number | null | undefined): string {
  if (q === null || q === undefined || !Number.isFinite(q)) return DASH;
  return q.toLocaleString('en-US', { maximumFractionDigits: 8 });
}

export function fmtMoney(v: number | null | undefined, decimals = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Signed money: "+12.30" / "−4.00" (a real minus sign, same width as plus in tabular figures). */
export function fmtSigned(v: number | null | undefined, decimals = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const s = fmtMoney(Math.abs(v), decimals);
  if (v > 0) return `+${s}`;
  if (v < 0) return `\u2212${s}`;
  return s;
}

/** A fraction or a percent number as "12.34%". `isFraction` when 0.1 means 10%. */
export function fmtPct(v: number | null | undefined, decimals = 2, isFraction = false): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return `${(isFraction ? v * 100 : v).toFixed(decimals)}%`;
}

export function fmtCompact(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return v.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 2 });
}

export function fmtBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return DASH;
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Times are UTC everywhere in Keel: bars, fills and logs are stored in UTC. */
export function fmtTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function fmtDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  return new Date(ms).toISOString().slice(0, 10);
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m ${sec}s`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** Metric keys from the engine ("max_drawdown", "longest_drawdown_ms") as labels a trader reads. */
export function metricLabel(key: string): string {
  const spaced = key
    .replace(/_ms$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\bcagr\b/, 'CAGR')
    .replace(/^longest drawdown bars$/, 'longest DD, bars')
    .replace(/^longest drawdown$/, 'longest DD');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

type MetricKind = 'fraction' | 'money' | 'ratio' | 'count' | 'duration' | 'time';

/**
 * How each backtest metric reads. Returns, drawdowns, rates and exposure are fractions
 * (0.1 = 10%); PnL and equity are money; start/end are timestamps; *_ms are durations.
 */
export function metricKind(key: string): MetricKind {
  const k = key.toLowerCase();
  if (k === 'start' || k === 'end') return 'time';
  if (k.endsWith('_ms')) return 'duration';
  if (/return|cagr|drawdown|rate|exposure|expectancy/.test(k) && !/_bars$/.test(k)) return 'fraction';
  if (/equity|capital|_trade$|_win$|_loss$|fees|pnl/.test(k)) return 'money';
  if (/sharpe|sortino|calmar|factor/.test(k)) return 'ratio';
  return 'count';
}

export function fmtMetric(key: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  switch (metricKind(key)) {
    case 'fraction':
      return fmtPct(v, 2, true);
    case 'money':
      return fmtMoney(v);
    case 'ratio':
      return v.toFixed(2);
    case 'duration':
      return fmtDuration(v);
    case 'time':
      return fmtDate(v);
    case 'count':
      return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  }
}
