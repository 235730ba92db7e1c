import type { DuckDBConnection } from '@duckdb/node-api';
import { DoubleChunkAppender } from './duck-columns';

/** A half-open time range [from, to) in ms. */
export interface Span {
  from: number;
  to: number;
}

/** Bars of a page in columns, ascending, unique times. */
export interface PageBars {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  length: number;
}

export interface GapSpan extends Span {
  missing: number;
}

/** The union of spans, sorted, touching spans joined. */
export function unionSpans(spans: Span[]): Span[] {
  const sorted = spans.filter((s) => s.to > s.from).sort((a, b) => a.from - b.from);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else out.push({ ...s });
  }
  return out;
}

/** `want` minus the spans in `have` (both half-open), sorted. */
export function subtractSpans(want: Span, have: Span[]): Span[] {
  const out: Span[] = [];
  let at = want.from;
  for (const h of unionSpans(have)) {
    if (h.to <= at) continue;
    if (h.from >= want.to) break;
    if (h.from > at) out.push({ from: at, to: Math.min(h.from, want.to) });
    at = Math.max(at, h.to);
    if (at >= want.to) break;
  }
  if (at < want.to) out.push({ from: at, to: want.to });
  return out;
}

/** What a commit settled: its span and what the checks counted in it. */
export interface SettledSpan extends Span {
  bars: number;
  duplicates: number;
  outOfOrder: number;
  rejected: number;
}

/** The spans of a series every bar time of which was asked for and answered, joined. */
export async function readCoverage(con: DuckDBConnection, series: number): Promise<Span[]> {
  const r = await con.runAndReadAll(`SELECT from_ts::DOUBLE, to_ts::DOUBLE FROM download_spans WHERE series = ${series} ORDER BY from_ts`);
  return unionSpans((r.getRowsJS() as [number, number][]).map(([from, to]) => ({ from, to })));
}

/** Adds settled spans (an INSERT: spans are joined when read). */
export async function addSpans(con: DuckDBConnection, series: number, run: number, spans: SettledSpan[]): Promise<void> {
  if (spans.length === 0) return;
  await con.run(
    `INSERT INTO download_spans VALUES ${spans.map((s) => `(${series}, ${run}, ${s.from}, ${s.to}, ${s.bars}, ${s.duplicates}, ${s.outOfOrder}, ${s.rejected})`).join(', ')}`,
  );
}

/** The holes of a series the exchange has no bars for, joined where one continues another (the end of a page and the start of the next). */
export async function readGaps(con: DuckDBConnection, series: number, barMs: number, within?: Span): Promise<GapSpan[]> {
  const where = within ? ` AND to_ts > ${Math.floor(within.from)} AND from_ts < ${Math.floor(within.to)}` : '';
  const r = await con.runAndReadAll(`SELECT from_ts::DOUBLE, to_ts::DOUBLE, missing::DOUBLE FROM download_gaps WHERE series = ${series}${where} ORDER BY from_ts`);
  const out: GapSpan[] = [];
  for (const [from, to, missing] of r.getRowsJS() as [number, number, number][]) {
    const last = out[out.length - 1];
    if (last && from <= last.to) {
      last.to = Math.max(last.to, to);
      last.missing = Math.round((last.to - last.from) / barMs);
    } else out.push({ from, to, missing });
  }
  return out;
}

/** Records holes the exchange cannot fill (an INSERT; a hole already recorded is not recorded again). */
export async function addGaps(con: DuckDBConnection, series: number, gaps: GapSpan[]): Promise<void> {
  if (gaps.length === 0) return;
  await con.run(`INSERT INTO download_gaps VALUES ${gaps.map((g) => `(${series}, ${g.from}, ${g.to}, ${g.missing})`).join(', ')}`);
}

/** What the downloads of a series counted: the quality report's duplicates and out-of-order rows. */
export async function downloadCounts(con: DuckDBConnection, series: number): Promise<{ bars: number; duplicates: number; outOfOrder: number; rejected: number }> {
  const r = await con.runAndReadAll(
    `SELECT coalesce(sum(bars), 0)::DOUBLE, coalesce(sum(duplicates), 0)::DOUBLE, coalesce(sum(out_of_order), 0)::DOUBLE, coalesce(sum(rejected), 0)::DOUBLE FROM download_spans WHERE series = ${series}`,
  );
  const [bars, duplicates, outOfOrder, rejected] = r.getRowsJS()[0] as [number, number, number, number];
  return { bars, duplicates, outOfOrder, rejected };
}

/**
 * Writes downloaded bars into a series. Where the store holds nothing in their range (a
 * download's usual case) they are appended straight in; otherwise they are staged and
 * merged as imports merge: new times inserted, changed bars replaced (the exchange's answer
 * wins over a live candle), equal ones left alone. Returns the bars that were new.
 */
export async function writeBars(con: DuckDBConnection, series: number, bars: PageBars[]): Promise<number> {
  const n = bars.reduce((a, b) => a + b.length, 0);
  if (n === 0) return 0;
  const first = Math.min(...bars.filter((b) => b.length > 0).map((b) => b.ts[0]!));
  const last = Math.max(...bars.filter((b) => b.length > 0).map((b) => b.ts[b.length - 1]!));
  const overlap = Number((await con.runAndReadAll(`SELECT count(*) FROM bars WHERE series = ${series} AND ts >= ${first} AND ts <= ${last}`)).getRowsJS()[0]![0]);
  const target = overlap === 0 ? 'bars' : 'stage_download';
  if (overlap > 0) await con.run('CREATE OR REPLACE TEMP TABLE stage_download (series DOUBLE, ts DOUBLE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE, adj_close DOUBLE)');
  const appender = new DoubleChunkAppender(await con.createAppender(target), 8);
  for (const b of bars) {
    if (b.length === 0) continue;
    appender.addColumns([new Float64Array(b.length).fill(series), b.ts, b.open, b.high, b.low, b.close, b.volume, new Float64Array(b.length).fill(NaN)]);
  }
  appender.close();
  if (overlap === 0) return n;
  const match = `t.series = ${series} AND t.ts = s.ts::BIGINT`;
  const same = ['open', 'high', 'low', 'close', 'volume'].map((c) => `t.${c} = s.${c}`).join(' AND ');
  const fresh = Number((await con.runAndReadAll(`SELECT count(*) FROM stage_download s WHERE NOT EXISTS (SELECT 1 FROM bars t WHERE ${match})`)).getRowsJS()[0]![0]);
  await con.run(`UPDATE bars AS t SET open = s.open, high = s.high, low = s.low, close = s.close, volume = s.volume FROM stage_download AS s WHERE ${match} AND NOT (${same})`);
  await con.run(`INSERT INTO bars SELECT ${series}, s.ts::BIGINT, s.open, s.high, s.low, s.close, s.volume, NULL FROM stage_download s WHERE NOT EXISTS (SELECT 1 FROM bars t WHERE ${match})`);
  await con.run('DROP TABLE stage_download');
  return fresh;
}

export async function startRun(con: DuckDBConnection, r: { kind: 'bars' | 'trades'; symbol: string; timeframe: string; apiUrl?: string; from: number; to: number }): Promise<number> {
  const res = await con.runAndReadAll(
    `INSERT INTO downloads (kind, symbol, timeframe, api_url, requested_from, requested_to, started_at, status)
     VALUES ($1, $2, $3, $4, ${Math.floor(r.from)}, ${Math.floor(r.to)}, now()::TIMESTAMP, 'running') RETURNING id`,
    [r.kind, r.symbol, r.timeframe, r.apiUrl ?? null],
  );
  return Number(res.getRowsJS()[0]![0]);
}

export async function finishRun(con: DuckDBConnection, id: number, status: 'done' | 'failed' | 'cancelled', rowsNew: number, error?: string): Promise<void> {
  await con.run(`UPDATE downloads SET status = $1, finished_at = now()::TIMESTAMP, rows_new = ${rowsNew}, error = $2 WHERE id = ${id}`, [status, error ?? null]);
}

export interface DownloadLogEntry {
  id: number;
  kind: 'bars' | 'trades';
  symbol: string;
  timeframe: string;
  from: number;
  to: number;
  status: string;
  rowsNew: number | null;
  error: string | null;
}

export async function downloadLog(con: DuckDBConnection, symbol?: string): Promise<DownloadLogEntry[]> {
  const r = await con.runAndReadAll(
    `SELECT id, kind, symbol, timeframe, requested_from::DOUBLE, requested_to::DOUBLE, status, rows_new::DOUBLE, error
     FROM downloads ${symbol ? 'WHERE symbol = $1' : ''} ORDER BY id`,
    symbol ? [symbol] : [],
  );
  return (r.getRowsJS() as unknown[][]).map(([id, kind, sym, timeframe, from, to, status, rowsNew, error]) => ({
    id: Number(id),
    kind: kind as 'bars' | 'trades',
    symbol: sym as string,
    timeframe: timeframe as string,
    from: from as number,
    to: to as number,
    status: status as string,
    rowsNew: (rowsNew as number | null) ?? null,
    error: (error as string | null) ?? null,
  }));
}
