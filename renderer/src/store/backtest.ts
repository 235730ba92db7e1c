import { create } from 'zustand';
import type { BacktestResult, BacktestSummary, JobProgress, StrategyInfo } from '../../../engine/protocol';

interface BacktestStore {
  strategies: StrategyInfo[];
  runs: BacktestSummary[];
  /** The run shown in the results panel and drawn on the price chart. */
  result: BacktestResult | undefined;
  /** A second run overlaid on the equity chart for comparison. */
  compare: BacktestResult | undefined;
  /** Whether the open result's trades are drawn on the price chart. */
  tradesOnChart: boolean;
  setTradesOnChart(on: boolean): void;
  activeRunId: string | undefined;
  progress: JobProgress | undefined;
  error: string | undefined;
  setStrategies(s: StrategyInfo[]): void;
  setRuns(r: BacktestSummary[]): void;
  setResult(r: BacktestResult | undefined): void;
  setCompare(r: BacktestResult | undefined): void;
  started(runId: string): void;
  onJob(items: JobProgress[]): void;
  setError(e: string | undefined): void;
}

export const useBacktest = create<BacktestStore>((set, get) => ({
  strategies: [],
  runs: [],
  result: undefined,
  compare: undefined,
  tradesOnChart: true,
  setTradesOnChart: (tradesOnChart) => set({ tradesOnChart }),
  activeRunId: undefined,
  progress: undefined,
  error: undefined,
  setStrategies: (strategies) => set({ strategies }),
  setRuns: (runs) => set({ runs: [...runs].sort((a, b) => b.startedAt - a.startedAt) }),
  setResult: (result) => set({ result }),
  setCompare: (compare) => set({ compare }),
  started: (runId) => set({ activeRunId: runId, progress: { jobId: runId, kind: 'backtest', done: 0, total: 1, status: 'running' }, error: undefined }),
  onJob: (items) => {
    const id = get().activeRunId;
    const mine = items.filter((j) => j.kind === 'backtest' && j.jobId === id);
    if (mine.length) set({ progress: mine[mine.length - 1] });
  },
  setError: (error) => set({ error }),
}));
