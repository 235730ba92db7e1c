/**
 * `keel rerun RUN`: checks a recorded run's inputs against what is on disk now, runs its
 * command again into a scratch folder and compares every output file byte for byte.
 * A changed input is named (and the run not repeated, since a match would then mean nothing);
 * a differing output is named with both hashes.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../cli/types';
import { loadStrategy } from '../strategy/loader';
import { hashOutputs, KEEL_VERSION, sha256File, strategySha256, type RunManifest } from './run-record';

export interface InputChange {
  input: string;
  was: string;
  now: string;
}

/** Every recorded input that is not what it was. */
export async function changedInputs(m: RunManifest, cwd: string): Promise<InputChange[]> {
  const out: InputChange[] = [];
  if (m.keel !== KEEL_VERSION) out.push({ input: 'Keel version', was: m.keel, now: KEEL_VERSION });
  const d = m.inputs.data;
  if (d) {
    // The content hash is the file's sha256, as the bar reader computes it.
    const now = existsSync(d.path) ? sha256File(d.path) : undefined;
    if (now !== d.sha256) out.push({ input: `data ${d.path}`, was: `sha256 ${d.sha256}`, now: now ? `sha256 ${now}` : 'missing' });
  }
  const s = m.inputs.strategy;
  if (s) {
    try {
      const here = strategySha256(s.ref, await loadStrategy(s.ref, cwd), cwd);
      if (here !== s.sha256) out.push({ input: `strategy ${s.ref} (source)`, was: `sha256 ${s.sha256}`, now: `sha256 ${here}` });
    } catch (e) {
      out.push({ input: `strategy ${s.ref}`, was: `sha256 ${s.sha256}`, now: e instanceof Error ? e.message : String(e) });
    }
  }
  for (const [file, hash] of Object.entries(m.inputs.files ?? {})) {
    const base = String(m.inputs.run ?? '');
    const path = join(base, file);
    const now = existsSync(path) ? sha256File(path) : 'missing';
    if (now !== hash) out.push({ input: `input file ${path}`, was: `sha256 ${hash}`, now: now === 'missing' ? now : `sha256 ${now}` });
  }
  return out;
}

export interface RerunOutcome {
  changed: InputChange[];
  /** Output files whose bytes differ (or that are missing), with both hashes. */
  differs: { file: string; was: string; now: string }[];
  same: number;
}

/** Runs the command again (through `main`, unrecorded) and compares its outputs with the record. */
export async function rerun(m: RunManifest, io: CliIO, main: (argv: string[], io: CliIO) => Promise<number>): Promise<RerunOutcome> {
  const changed = await changedInputs(m, io.cwd);
  if (changed.length > 0) return { changed, differs: [], same: 0 };
  const scratch = mkdtempSync(join(tmpdir(), 'keel-rerun-'));
  try {
    const quiet: CliIO = { out: () => undefined, err: () => undefined, cwd: io.cwd, env: { ...io.env, KEEL_RERUN: scratch } };
    const code = await main([m.command, ...m.args, '--out', join(scratch, 'out')], quiet);
    if (code !== 0) throw new Error(`the re-run of ${m.command} exited with ${code}`);
    const files = Object.keys(m.outputs);
    const differs: RerunOutcome['differs'] = [];
    for (const f of files) {
      const now = existsSync(join(scratch, 'out', f)) ? hashOutputs(join(scratch, 'out'), [f])[f]! : 'missing';
      if (now !== m.outputs[f]) differs.push({ file: f, was: m.outputs[f]!, now });
    }
    return { changed, differs, same: files.length - differs.length };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
