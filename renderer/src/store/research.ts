import { create } from 'zustand';
import type { JobProgress, ResearchKind, ResearchResultDto, ResearchSource } from '../../../engine/protocol';

/** The Backtest screen's tabs: the plain backtest and the three research tools. */
export type BacktestTab = 'backtest' | ResearchKind;

type PerKind<T> = Partial<Record<ResearchKind, T>>;

interface ResearchStore {
  tab: BacktestTab;
  setTab(t: BacktestTab): void;
  /** The job each tab started last. */
  active: PerKind<string>;
  progress: PerKind<JobProgress>;
  results: PerKind<ResearchResultDto>;
  errors: PerKind<string>;
  sources: ResearchSource[];
  started(kind: ResearchKind, jobId: string): void;
  onJob(items: JobProgress[]): void;
  setResult(r: ResearchResultDto): void;
  setError(kind: ResearchKind, e: string | undefined): void;
  setSources(s: ResearchSource[]): void;
}

export const useResearch = create<ResearchStore>((set, get) => ({
  tab: 'backtest',
  setTab: (tab) => set({ tab }),
  active: {},
  progress: {},
  results: {},
  errors: {},
  sources: [],
  started: (kind, jobId) =>
    set((s) => ({ active: { ...s.active, [kind]: jobId }, progress: { ...s.progress, [kind]: { jobId, kind, done: 0, total: 0, status: 'running' } }, errors: { ...s.errors, [kind]: undefined } })),
  onJob: (items) => {
    const { active, progress } = get();
    const next = { ...progress };
    let changed = false;
    for (const j of items) {
      const kind = j.kind as ResearchKind;
      if (active[kind] !== j.jobId) continue;
      // The last push of a finished job says done 1 of 1; keep the trial counts it ran with.
      next[kind] = j.status !== 'running' && next[kind] ? { ...next[kind]!, status: j.status, message: j.message } : j;
      changed = true;
    }
    if (changed) set({ progress: next });
  },
  setResult: (r) => set((s) => ({ results: { ...s.results, [r.kind]: r } })),
  setError: (kind, e) => set((s) => ({ errors: { ...s.errors, [kind]: e } })),
  setSources: (sources) => set({ sources }),
}));
