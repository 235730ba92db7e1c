import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KeelError } from '../core/errors';
import { MARKET_DB_FILE, UPLOADS_DIR } from '../core/paths';
import type { BarSeries } from '../model/bar';
import { MarketStore } from '../data/market-store';
import { ensureSampleData } from '../data/samples';
import { datasetQuality } from '../data/dataset-quality';
import type { ImportReport } from '../data/import-report';
import { analyzeSpread, spreadSummary, type SpreadResult } from '../data/spread';
import type { ImportReportDto, Publish, QualityReportDto, SpreadRequestDto, SpreadResultDto } from '../../protocol/index';
import { refuseEngineFiles } from './home-files';
import type { Logger } from './logs';
import type { MarketService } from './services';

export function importReportDto(r: ImportReport): ImportReportDto {
  return {
    file: basename(r.file),
    symbol: r.symbol,
    timeframe: r.timeframe ?? '',
    layout: r.layout,
    rowsRead: r.rowsRead,
    rowsStored: r.store?.rowsNew ?? 0,
    duplicatesMerged: r.duplicatesInFile,
    gaps: r.gaps?.count ?? 0,
    rejected: r.rejected.rows.map((x) => ({ line: x.line, reason: x.message })),
    notes: r.notes,
    alreadyImported: r.store?.alreadyImported ?? false,
  };
}

/**
 * The error without the text of the file it quotes (details.fileText, which the CLI prints):
 * an engine caller named the file, and must not read a file that is not market data through
 * the import's error.
 */
function withoutFileText(e: unknown): unknown {
  if (!(e instanceof KeelError) || e.details?.fileText === undefined) return e;
  const { fileText: _dropped, ...details } = e.details;
  const prefix = e.where === undefined ? '' : `${e.where}: `;
  return new KeelError(e.code, e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message, { where: e.where, details, cause: e });
}

/** A file name the UI sent, made safe to create under our own directory. */
function safeName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).replace(/[^A-Za-z0-9._-]+/g, '_').slice(-120);
  return base.replace(/^\.+/, '') || 'upload.csv';
}

/**
 * The market-data store (DuckDB, <home>/market.duckdb) behind the protocol. Imports report
 * progress on the 'job' topic. A file that is not a bar file is tried as trades, since
 * the protocol has one import call for both.
 */
export class MarketAdapter implements MarketService {
  private seq = 0;
  private readonly importListeners: (() => void | Promise<unknown>)[] = [];

  private constructor(
    /** The store itself, for the pieces that write beside imports (downloads, live candles). */
    readonly store: MarketStore,
    private readonly home: string,
    private readonly publish: Publish,
  ) {}

  static async open(home: string, publish: Publish, log: Logger, samplesDir?: string): Promise<MarketAdapter> {
    const store = await MarketStore.open(join(home, MARKET_DB_FILE));
    for (const note of store.recovered) log.warn(`market store: ${note}`);
    const adapter = new MarketAdapter(store, home, publish);
    try {
      const reports = await ensureSampleData(store, samplesDir);
      const fresh = reports.filter((r) => r.store && !r.store.alreadyImported);
      if (fresh.length > 0) log.info(`imported sample data: ${fresh.map((r) => `${r.symbol} ${r.timeframe} (${r.store!.rowsNew} bars)`).join(', ')}`);
    } catch (e) {
      // No samples is a worse first start, not a broken engine.
      log.warn(`sample data not imported: ${e instanceof Error ? e.message : String(e)}`);
    }
    return adapter;
  }

  async datasets() {
    // Trade sets are left out: charts and backtests ask for bars, which the store builds from trades on request.
    return (await this.store.datasets())
      .filter((d) => d.kind === 'bars' && d.timeframe !== null)
      .map((d) => ({ symbol: d.symbol, timeframe: d.timeframe!, from: d.from, to: d.to, rows: d.rows, gaps: d.gaps ?? 0 }));
  }

  async bars(q: { symbol: string; timeframe: string; from?: number; to?: number; limit?: number }) {
    const s = await this.store.bars(q.symbol, q.timeframe, { from: q.from, to: q.to, last: q.limit });
    return { series: s, resampledFrom: s.origin.kind === 'resampled' ? s.origin.from : s.origin.kind === 'trades' ? 'trades' : undefined };
  }

  barsBefore(symbol: string, timeframe: string, asOf: number, count: number): Promise<BarSeries> {
    return this.store.closedBarsBefore(symbol, timeframe, asOf, count);
  }

  barsAfter(symbol: string, timeframe: string, afterTs: number, asOf: number): Promise<BarSeries> {
    return this.store.closedBarsAfter(symbol, timeframe, afterTs, asOf);
  }

  async symbols(): Promise<string[]> {
    return [...new Set((await this.store.datasets()).map((d) => d.symbol))];
  }

  /** Latest stored bar of `symbol` at its finest stored timeframe (what a paper fill is priced from). */
  async latestClose(symbol: string): Promise<{ price: number; ts: number } | undefined> {
    const sets = (await this.store.datasets()).filter((d) => d.kind === 'bars' && d.symbol === symbol && d.timeframe !== null);
    if (sets.length === 0) return undefined;
    const finest = sets.reduce((a, b) => (b.to > a.to || (b.to === a.to && b.rows > a.rows) ? b : a));
    const s = await this.store.bars(symbol, finest.timeframe!, { from: finest.to });
    if (s.length === 0) return undefined;
    return { price: s.close[s.length - 1]!, ts: s.ts[s.length - 1]! };
  }

  async importFile(p: { path: string; symbol?: string; timeframe?: string; snap?: boolean }) {
    refuseEngineFiles(this.home, p.path);
    const jobId = `import-${++this.seq}`;
    const progress = (_phase: string, rows: number): void => this.publish('job', { jobId, kind: 'import', done: rows, total: 0, status: 'running', message: basename(p.path) });
    try {
      let report: ImportReport;
      try {
        report = await this.store.importBars(p.path, { symbol: p.symbol, timeframe: p.timeframe, snap: p.snap, onProgress: progress });
      } catch (barsError) {
        if (!(barsError instanceof KeelError) || barsError.code !== 'BAD_FILE' || p.timeframe !== undefined) throw withoutFileText(barsError);
        try {
          report = await this.store.importTrades(p.path, { symbol: p.symbol, onProgress: progress });
        } catch {
          throw withoutFileText(barsError); // neither bars nor trades: the bar reader's complaint is the useful one
        }
      }
      this.publish('job', { jobId, kind: 'import', done: report.rowsRead, total: report.rowsRead, status: 'done', message: basename(p.path) });
      // Before answering, so a symbol the UI sees as imported is already tradable.
      for (const l of this.importListeners) await l();
      return importReportDto(report);
    } catch (e) {
      this.publish('job', { jobId, kind: 'import', done: 0, total: 0, status: 'failed', message: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  }

  /** Told after each successful import (the paper desk learns new symbols). */
  onImported(listener: () => void | Promise<unknown>): void {
    this.importListeners.push(listener);
  }

  async importText(p: { name: string; content: string; symbol?: string; timeframe?: string; snap?: boolean }) {
    const dir = join(this.home, UPLOADS_DIR);
    mkdirSync(dir, { recursive: true });
    // The file name carries the symbol when none is given (e.g. BTC_USDT-5m.csv), so keep it.
    const path = join(dir, `${Date.now()}-${process.pid}`, safeName(p.name));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, p.content);
    try {
      const opts: { path: string; symbol?: string; timeframe?: string; snap?: boolean } = { path, symbol: p.symbol, timeframe: p.timeframe, snap: p.snap };
      const dto = await this.importFile(opts);
      return { ...dto, file: safeName(p.name) };
    } finally {
      rmSync(dirname(path), { recursive: true, force: true });
    }
  }

  /** Writes where the caller decided (EngineApp: inside <home>/exports, or a path main's save dialog granted). */
  async exportData(p: { symbol: string; timeframe: string; format: 'csv' | 'parquet'; path: string; overwrite?: boolean }) {
    if (!p.path.toLowerCase().endsWith(`.${p.format}`)) throw new KeelError('BAD_INPUT', `the export path must end in .${p.format}`, { where: 'path' });
    mkdirSync(dirname(p.path), { recursive: true });
    const r = await this.store.exportBars(p.symbol, p.timeframe, p.path, {}, { overwrite: p.overwrite === true });
    return { path: p.path, rows: r.rows };
  }

  async quality(q: { symbol: string; timeframe: string; buckets?: number }): Promise<QualityReportDto> {
    return datasetQuality(this.store, q.symbol, q.timeframe, { buckets: q.buckets });
  }

  async spread(q: SpreadRequestDto): Promise<SpreadResultDto> {
    const range = { from: q.from, to: q.to };
    const [a, b] = await Promise.all([this.store.bars(q.a.symbol, q.a.timeframe, range), this.store.bars(q.b.symbol, q.b.timeframe, range)]);
    return spreadDto(analyzeSpread(a, b, q));
  }

  /** Told after a download or a live stream stored bars: dataset lists and tradable symbols follow. */
  async storedElsewhere(): Promise<void> {
    for (const l of this.importListeners) await l();
  }

  backupTo(file: string): Promise<void> {
    return this.store.backupTo(file);
  }

  async close(): Promise<void> {
    this.store.close();
  }
}

/** Points of the spread chart sent to a UI at most. */
const SPREAD_POINTS = 4000;

/**
 * The spread for the wire: the aligned series thinned to SPREAD_POINTS buckets, each keeping
 * its point of widest net spread (so no opportunity's peak is thinned away).
 */
export function spreadDto(r: SpreadResult): SpreadResultDto {
  const n = r.ts.length;
  const per = Math.max(1, Math.ceil(n / SPREAD_POINTS));
  const ts: number[] = [];
  const gross: number[] = [];
  const net: number[] = [];
  for (let i = 0; i < n; i += per) {
    let best = i;
    for (let j = i + 1; j < Math.min(n, i + per); j++) if (r.net[j]! > r.net[best]!) best = j;
    ts.push(r.ts[best]!);
    gross.push(r.gross[best]!);
    net.push(r.net[best]!);
  }
  return { ...spreadSummary(r), ts, gross, net, opportunities: r.opportunities };
}
