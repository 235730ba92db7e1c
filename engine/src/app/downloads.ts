import { KeelError } from '../core/errors';
import { downloadBars, type DownloadReport } from '../data/download';
import { downloadTrades } from '../data/download-trades';
import type { MarketStore } from '../data/market-store';
import type { ClientSpec, ExchangeClient } from '../exchange/client';
import { venueSymbol } from '../exchange/venue-symbol';
import type { DownloadProgressDto, DownloadRequestDto, Publish } from '../../protocol/index';
import type { Logger } from './logs';

const KEEP_FINISHED = 20;
/** Progress pushes at most this often per download (the bar moves smoothly; the wire stays quiet). */
const PROGRESS_EVERY_MS = 100;

interface Job {
  dto: DownloadProgressDto;
  abort: AbortController;
}

/**
 * History downloads started from the UI, run in the background on the market store: one per
 * dataset at a time, progress on the 'download' topic (bars done of expected, rate, ETA),
 * cancelled through an AbortSignal (what was stored stays, and a new start resumes).
 */
export class DownloadJobs {
  private readonly jobs = new Map<string, Job>();
  private seq = 0;

  constructor(
    private readonly store: MarketStore,
    private readonly clientOf: (spec: ClientSpec) => Promise<ExchangeClient>,
    private readonly apiUrlOf: (exchange: string) => string | undefined,
    private readonly publish: Publish,
    private readonly log: Logger,
    /** Told after a download stored bars (dataset lists, tradable symbols). */
    private readonly onStored: () => Promise<void>,
  ) {}

  start(req: DownloadRequestDto): { downloadId: string; symbol: string } {
    const symbol = venueSymbol(req.exchange, req.symbol);
    const running = [...this.jobs.values()].find((j) => j.dto.status === 'running' && j.dto.symbol === symbol && j.dto.timeframe === req.timeframe);
    if (running) throw new KeelError('CONFLICT', `${symbol} ${req.timeframe} is already downloading (${running.dto.downloadId})`, { where: 'symbol' });
    const downloadId = `dl-${Date.now().toString(36)}-${++this.seq}`;
    const job: Job = {
      dto: { downloadId, exchange: req.exchange, symbol, timeframe: req.timeframe, status: 'running', done: 0, expected: 0, stored: 0, ratePerSec: 0 },
      abort: new AbortController(),
    };
    this.jobs.set(downloadId, job);
    this.prune();
    this.publish('download', { ...job.dto });
    void this.run(job, req);
    return { downloadId, symbol };
  }

  cancel(downloadId: string): boolean {
    const job = this.jobs.get(downloadId);
    if (!job || job.dto.status !== 'running') return false;
    job.abort.abort(new KeelError('CANCELLED', `download ${downloadId} cancelled`));
    return true;
  }

  cancelAll(): void {
    for (const id of this.jobs.keys()) this.cancel(id);
  }

  list(): DownloadProgressDto[] {
    return [...this.jobs.values()].map((j) => ({ ...j.dto })).reverse();
  }

  private async run(job: Job, req: DownloadRequestDto): Promise<void> {
    const apiUrl = req.apiUrl ?? this.apiUrlOf(req.exchange);
    let lastPush = 0;
    try {
      const client = await this.clientOf({ exchange: req.exchange, apiUrl });
      const opts = {
        signal: job.abort.signal,
        onProgress: (p: { done: number; expected: number; stored: number; ratePerSec: number; etaMs: number | undefined }) => {
          Object.assign(job.dto, { done: p.done, expected: p.expected, stored: p.stored, ratePerSec: p.ratePerSec, etaMs: p.etaMs });
          const now = Date.now();
          if (now - lastPush < PROGRESS_EVERY_MS && p.done < p.expected) return;
          lastPush = now;
          this.publish('download', { ...job.dto });
        },
      };
      const request = { ...req, apiUrl };
      const report: DownloadReport = req.trades ? await downloadTrades(client, this.store, request, opts) : await downloadBars(client, this.store, request, opts);
      job.dto.status = 'done';
      job.dto.report = report;
      job.dto.done = job.dto.expected;
      this.log.info(`download ${report.symbol} ${report.timeframe}: ${report.stored} bars stored, ${report.gaps.length} gaps at the exchange`);
      await this.onStored().catch((e) => this.log.warn(`after download: ${e instanceof Error ? e.message : String(e)}`));
    } catch (e) {
      job.dto.status = job.abort.signal.aborted ? 'cancelled' : 'failed';
      job.dto.message = e instanceof Error ? e.message : String(e);
      this.log.warn(`download ${job.dto.symbol} ${job.dto.timeframe} ${job.dto.status}: ${job.dto.message}`);
      if (job.dto.stored > 0) await this.onStored().catch(() => undefined);
    } finally {
      this.publish('download', { ...job.dto });
    }
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.dto.status !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(j.dto.downloadId);
  }
}
