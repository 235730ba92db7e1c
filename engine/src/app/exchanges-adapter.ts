import { join } from 'node:path';
import { STATE_DB_FILE } from '../core/paths';
import type { BarFeed } from '../data/bar-feed';
import type { MarketStore } from '../data/market-store';
import { ExchangeAccounts } from '../exchange/accounts';
import { ExchangeHub } from '../exchange/hub';
import { ExchangeSettings } from '../exchange/settings';
import type { SecretStore } from '../secrets/secret-store';
import { StateStore } from '../state/store';
import type { DownloadProgressDto, DownloadRequestDto, ExchangeInfoDto, Publish, StreamStatusDto } from '../../protocol/index';
import { DownloadJobs } from './downloads';
import { LiveStreams } from './live-streams';
import type { Logger } from './logs';
import type { ExchangeService } from './services';

/** The exchanges the Data and Markets screens offer first; any ccxt id can be asked for. */
export const LISTED_EXCHANGES = ['binance', 'binanceus', 'kraken', 'coinbase', 'bybit', 'okx'];

/**
 * Exchanges behind the protocol: the capability table, the per-exchange API URL setting
 * (state database), history downloads and live streams.
 */
export class ExchangesAdapter implements ExchangeService {
  readonly downloads: DownloadJobs;
  readonly streams: LiveStreams;
  readonly hub = new ExchangeHub();
  readonly accounts: ExchangeAccounts;

  private constructor(
    private readonly state: StateStore,
    private readonly settings: ExchangeSettings,
    secrets: SecretStore,
    store: MarketStore,
    bars: BarFeed,
    publish: Publish,
    log: Logger,
    onStored: () => Promise<void>,
  ) {
    this.accounts = new ExchangeAccounts(state, secrets);
    const apiUrlOf = (exchange: string) => this.settings.apiUrl(exchange);
    const clientOf = this.hub.client.bind(this.hub);
    this.downloads = new DownloadJobs(store, clientOf, apiUrlOf, publish, log, onStored);
    this.streams = new LiveStreams(store, clientOf, apiUrlOf, bars, publish, log, onStored);
  }

  static open(home: string, store: MarketStore, bars: BarFeed, publish: Publish, log: Logger, onStored: () => Promise<void>, secrets: SecretStore): ExchangesAdapter {
    const state = StateStore.open(join(home, STATE_DB_FILE));
    return new ExchangesAdapter(state, new ExchangeSettings(state), secrets, store, bars, publish, log, onStored);
  }

  async list(ids: string[] = LISTED_EXCHANGES): Promise<ExchangeInfoDto[]> {
    const out: ExchangeInfoDto[] = [];
    for (const id of ids) {
      // No request leaves: the table is ccxt's description of the exchange and Keel's notes.
      const client = await this.hub.client({ exchange: id });
      const apiUrl = this.settings.apiUrl(id);
      out.push({ ...client.capabilities(), ...(apiUrl ? { apiUrl } : {}) });
    }
    return out;
  }

  setApiUrl(exchange: string, apiUrl: string | undefined): { exchange: string; apiUrl?: string } {
    const saved = this.settings.setApiUrl(exchange, apiUrl);
    return saved ? { exchange, apiUrl: saved } : { exchange };
  }

  startDownload(req: DownloadRequestDto): { downloadId: string; symbol: string } {
    return this.downloads.start(req);
  }

  cancelDownload(id: string): boolean {
    return this.downloads.cancel(id);
  }

  listDownloads(): DownloadProgressDto[] {
    return this.downloads.list();
  }

  startStream(p: { exchange: string; symbol: string; timeframe: string; apiUrl?: string }): Promise<StreamStatusDto> {
    return this.streams.start(p);
  }

  stopStream(id: string): Promise<boolean> {
    return this.streams.stop(id);
  }

  listStreams(): StreamStatusDto[] {
    return this.streams.list();
  }

  async close(): Promise<void> {
    this.downloads.cancelAll();
    await this.streams.close();
    await this.hub.close();
    this.state.close();
  }
}
