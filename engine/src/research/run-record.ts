/**
 * Reproducible runs. Every backtest, sweep, walk-forward and Monte Carlo run is recorded in a
 * run folder under $KEEL_HOME/runs/<run id>/ (and in its --out DIR) as run.json: Keel's
 * version, the command and its arguments, the exact inputs (data file with its content hash
 * and bar range, the strategy's source hash, parameters, costs, seed) and the sha256 of
 * every output file. `keel rerun` checks the inputs, runs the command again into a scratch
 * folder and compares the outputs byte for byte (research/rerun.ts).
 *
 * Outputs hold no clock time and no worker count, so a re-run can match them exactly;
 * those facts go to run.json only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeelError } from '../core/errors';
import { keelHome } from '../core/paths';
import type { BarSeries } from '../model/bar';
import type { StrategyModule } from '../../sdk';
import { isStrategyFile } from '../strategy/loader';
import pkg from '../../../package.json';

export const RUN_FILE = 'run.json';
export const KEEL_VERSION: string = pkg.version;
export type RunCommand = 'backtest' | 'optimize' | 'walkforward' | 'montecarlo';

export interface DataInput {
  path: string;
  sha256: string;
  symbol: string;
  timeframe: string;
  bars: number;
  /** Open time (ms) of the first and of the last bar. */
  first: number | null;
  last: number | null;
}

export interface StrategyInput {
  ref: string;
  sha256: string;
}

export interface RunManifest {
  keel: string;
  run_id: string;
  command: RunCommand;
  /** When it ran (ISO 8601): not an input, not compared. */
  created: string;
  /** The command's arguments without --out, paths made absolute: what `keel rerun` runs. */
  args: string[];
  inputs: {
    data?: DataInput;
    strategy?: StrategyInput;
    /** Files read besides data and strategy (Monte Carlo's run), by path. */
    files?: Record<string, string>;
  } & Record<string, unknown>;
  /** sha256 of each output file, by its path relative to the run's folder. */
  outputs: Record<string, string>;
  /** Where the outputs were written (--out), if not in the run folder itself. */
  out?: string;
  /** Facts about the run that are not inputs (elapsed time, workers). */
  run?: Record<string, unknown>;
}

export function sha256Bytes(b: Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

export function sha256File(path: string): string {
  return sha256Bytes(readFileSync(path));
}

/** The content hash of bars in memory: sha256 of the six columns' bytes, in order. */
export function seriesSha256(s: BarSeries): string {
  const h = createHash('sha256');
  for (const c of [s.ts, s.open, s.high, s.low, s.close, s.volume]) h.update(new Uint8Array(c.buffer, c.byteOffset, s.length * 8));
  return h.digest('hex');
}

export function dataInput(path: string, sha256: string, s: BarSeries): DataInput {
  return { path, sha256, symbol: s.symbol, timeframe: s.timeframe, bars: s.length, first: s.length ? s.ts[0]! : null, last: s.length ? s.ts[s.length - 1]! : null };
}

const STRATEGIES_DIR = fileURLToPath(new URL('../../../strategies/', import.meta.url));

/**
 * The hash of a strategy's source: the file's bytes for a strategy given by path or a shipped
 * one whose source is at hand (strategies/<id>.ts); otherwise (a packaged app, where only
 * the bundle exists) the module's own text, marked "fn:".
 */
export function strategySha256(ref: string, module: StrategyModule, cwd: string): string {
  const isPath = isStrategyFile(ref);
  const file = isPath ? resolve(cwd, ref) : join(STRATEGIES_DIR, `${module.id}.ts`);
  if (existsSync(file)) return sha256File(file);
  if (isPath) throw new KeelError('NOT_FOUND', `no such file ${file}`, { where: '--strategy' });
  return `fn:${sha256Bytes(JSON.stringify(module.params) + String(module.create) + String(module.validate ?? ''))}`;
}

/** A strategy ref that reads the same from any directory: a shipped id, or an absolute path. */
export function absoluteRef(ref: string, cwd: string): string {
  return isStrategyFile(ref) && !isAbsolute(ref) ? resolve(cwd, ref) : ref;
}

export function newRunId(command: RunCommand, now = Date.now()): string {
  const t = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${command}-${t}-${randomBytes(3).toString('hex')}`;
}

export function runsDir(env: Record<string, string | undefined>): string {
  return join(keelHome(env), 'runs');
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.partial`, JSON.stringify(value, null, 2) + '\n');
  renameSync(`${path}.partial`, path);
}

export function hashOutputs(dir: string, files: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files) out[f] = sha256File(join(dir, f));
  return out;
}

/** A run about to start: its id and its folder under $KEEL_HOME/runs (where outputs go without --out). */
export function planRun(command: RunCommand, env: Record<string, string | undefined>, now = Date.now()): { id: string; folder: string } {
  const id = newRunId(command, now);
  return { id, folder: env.KEEL_RERUN ? join(env.KEEL_RERUN, 'unrecorded') : join(runsDir(env), id) };
}

export interface RecordOptions {
  id: string;
  command: RunCommand;
  args: string[];
  inputs: RunManifest['inputs'];
  /** Where the outputs are: --out, or the run's own folder. */
  dir: string;
  files: readonly string[];
  env: Record<string, string | undefined>;
  run?: Record<string, unknown>;
  now?: number;
}

/**
 * Writes run.json beside the outputs (merged into a run.json already there, as a backtest's)
 * and into the run folder under $KEEL_HOME/runs. A rerun (KEEL_RERUN set) records nothing.
 */
export function recordRun(o: RecordOptions): RunManifest {
  const manifest: RunManifest = {
    keel: KEEL_VERSION,
    run_id: o.id,
    command: o.command,
    created: new Date(o.now ?? Date.now()).toISOString(),
    args: o.args,
    inputs: o.inputs,
    outputs: hashOutputs(o.dir, o.files),
  };
  if (o.run) manifest.run = o.run;
  if (o.env.KEEL_RERUN) return manifest;
  const folder = join(runsDir(o.env), o.id);
  const merged = (file: string) => ({ ...(existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {}), ...manifest });
  if (resolve(o.dir) !== resolve(folder)) {
    manifest.out = resolve(o.dir);
    writeJson(join(o.dir, RUN_FILE), merged(join(o.dir, RUN_FILE)));
  }
  writeJson(join(folder, RUN_FILE), merged(join(folder, RUN_FILE)));
  return manifest;
}

/** A run by id (under $KEEL_HOME/runs) or by folder (an --out DIR or a run folder). */
export function readRun(ref: string, cwd: string, env: Record<string, string | undefined>): { manifest: RunManifest; dir: string } {
  const candidates = [resolve(cwd, ref), join(runsDir(env), ref)];
  for (const dir of candidates) {
    const file = join(dir, RUN_FILE);
    if (!existsSync(file)) continue;
    const m = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunManifest>;
    if (typeof m.run_id !== 'string' || typeof m.command !== 'string' || !Array.isArray(m.args) || !m.outputs) {
      throw new KeelError('BAD_FILE', 'this run.json was not written by a Keel that records runs (no run_id, command or outputs)', { where: file });
    }
    return { manifest: m as RunManifest, dir: m.out && existsSync(m.out) ? m.out : dir };
  }
  throw new KeelError('NOT_FOUND', `no run "${ref}": neither a folder with ${RUN_FILE} nor a run id under ${runsDir(env)}`, { where: 'RUN' });
}
