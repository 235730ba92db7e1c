import { create } from 'zustand';
import type { EquitySeriesDto, GapReportDto, LedgerDto, StrategyInstanceDto, StrategyLogEntry, Topics } from '../../../engine/protocol';
import { palette } from '../theme';

/** Log lines kept per strategy in the page; the engine keeps more (`strategies.logs`). */
const MAX_LOGS = 300;

interface DeskStore {
  ledgers: LedgerDto[];
  instances: Record<string, StrategyInstanceDto>;
  logs: Record<string, StrategyLogEntry[]>;
  equity: EquitySeriesDto[];
  selected: string | undefined;
  gap: Record<string, GapReportDto>;
  setLedgers(l: LedgerDto[]): void;
  setInstances(list: StrategyInstanceDto[]): void;
  upsertInstance(i: StrategyInstanceDto): void;
  setLogs(id: string, logs: StrategyLogEntry[]): void;
  addLog(e: Topics['strategyLog']): void;
  setEquity(e: EquitySeriesDto[]): void;
  select(id: string | undefined): void;
  setGap(id: string, g: GapReportDto): void;
}

export const useDesk = create<DeskStore>((set) => ({
  ledgers: [],
  instances: {},
  logs: {},
  equity: [],
  selected: undefined,
  gap: {},
  setLedgers: (ledgers) =>
    set((s) => {
      // A ledger push also refreshes the ledger inside each strategy's row.
      const instances = { ...s.instances };
      for (const l of ledgers) if (instances[l.id]) instances[l.id] = { ...instances[l.id]!, ledger: l };
      return { ledgers, instances };
    }),
  setInstances: (list) => set({ instances: Object.fromEntries(list.map((i) => [i.id, i])) }),
  upsertInstance: (i) => set((s) => ({ instances: { ...s.instances, [i.id]: i } })),
  setLogs: (id, logs) => set((s) => ({ logs: { ...s.logs, [id]: logs.slice(-MAX_LOGS) } })),
  addLog: (e) => set((s) => ({ logs: { ...s.logs, [e.id]: [...(s.logs[e.id] ?? []), { ts: e.ts, kind: e.kind, message: e.message }].slice(-MAX_LOGS) } })),
  setEquity: (equity) => set({ equity }),
  select: (selected) => set({ selected }),
  setGap: (id, g) => set((s) => ({ gap: { ...s.gap, [id]: g } })),
}));

/**
 * A ledger's colour on every chart and grid: the manual ledger in the accent, each strategy
 * in a colour of its own, the same one whenever its id comes back.
 */
export function ledgerColor(ledger: string | undefined): string {
  if (ledger === undefined || ledger === 'manual') return palette.accent;
  if (ledger === '*') return palette.text;
  let h = 0;
  for (let i = 0; i < ledger.length; i++) h = (h * 31 + ledger.charCodeAt(i)) >>> 0;
  return palette.series[h % palette.series.length]!;
}
