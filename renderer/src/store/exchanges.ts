import { create } from 'zustand';
import type { BookDto, DownloadProgressDto, ExchangeInfoDto, StreamStatusDto } from '../../../engine/protocol';

/** A stream's state is trouble for a chart when data is not flowing as it should. */
export const streamTrouble = (s: StreamStatusDto | undefined): boolean => s !== undefined && (s.state === 'stale' || s.state === 'reconnecting' || s.state === 'failed' || s.state === 'connecting');

interface ExchangesStore {
  exchanges: ExchangeInfoDto[];
  downloads: Record<string, DownloadProgressDto>;
  /** The download the Data screen follows (the one it started). */
  watching: string | undefined;
  streams: Record<string, StreamStatusDto>;
  books: Record<string, BookDto>;
  setExchanges(e: ExchangeInfoDto[]): void;
  setApiUrl(exchange: string, apiUrl: string | undefined): void;
  onDownloads(items: DownloadProgressDto[]): void;
  watch(downloadId: string | undefined): void;
  onStreams(items: StreamStatusDto[]): void;
  setStreams(items: StreamStatusDto[]): void;
  onBook(b: BookDto): void;
}

export const useExchanges = create<ExchangesStore>((set) => ({
  exchanges: [],
  downloads: {},
  watching: undefined,
  streams: {},
  books: {},
  setExchanges: (exchanges) => set({ exchanges }),
  setApiUrl: (exchange, apiUrl) => set((s) => ({ exchanges: s.exchanges.map((e) => (e.id === exchange ? { ...e, apiUrl } : e)) })),
  onDownloads: (items) => set((s) => ({ downloads: { ...s.downloads, ...Object.fromEntries(items.map((d) => [d.downloadId, d])) } })),
  watch: (watching) => set({ watching }),
  onStreams: (items) =>
    set((s) => {
      const streams = { ...s.streams };
      for (const st of items) {
        if (st.state === 'stopped') delete streams[st.id];
        else streams[st.id] = st;
      }
      return { streams };
    }),
  setStreams: (items) => set({ streams: Object.fromEntries(items.map((s) => [s.id, s])) }),
  onBook: (b) => set((s) => ({ books: { ...s.books, [b.symbol]: b } })),
}));
