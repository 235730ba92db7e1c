/**
 * The messages between a research pool (pool.ts) and its worker threads
 * (threads/research-worker.ts). Bars and shared indicator outputs live in
 * SharedArrayBuffers, so sending them shares memory rather than copying it.
 */
import type { BarSeries } from '../model/bar';
import type { WireError } from '../data/bar-csv-messages';
import type { Params } from './space';
import type { TrialOutcome, TrialSettings } from './trial';

/** How a thread finds a strategy: a shipped id or a module file path. */
export type StrategyRef = string;

export type ToResearchWorker =
  | { type: 'ping'; req: number }
  | { type: 'series'; id: string; series: BarSeries }
  | { type: 'drop'; id: string }
  | { type: 'compute'; req: number; seriesId: string; strategy: StrategyRef; trials: Params[]; keys: string[] }
  | { type: 'share'; seriesId: string; strategy: StrategyRef; outputs: [string, Float64Array[]][] }
  | { type: 'trial'; req: number; seriesId: string; strategy: StrategyRef; params: Params; settings: TrialSettings };

export type FromResearchWorker =
  | { type: 'pong'; req: number }
  | { type: 'computed'; req: number; outputs: [string, Float64Array[]][] }
  | { type: 'trial'; req: number; outcome: TrialOutcome }
  | { type: 'failed'; req: number; error: WireError };
