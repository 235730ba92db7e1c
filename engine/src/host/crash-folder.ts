import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../core/paths';
import { scrub } from '../app/logs';

export { crashDir } from '../core/paths';

/**
 * Keeps crash records in `dir`, on this machine only: Node writes a diagnostic report there
 * when the engine dies of something JavaScript cannot catch (out of memory, a fatal V8 or
 * native error). Export diagnostics takes the reports without their environment variables.
 */
export function armCrashReports(dir: string): void {
  try {
    ensurePrivateDir(dir);
    process.report.directory = dir;
    process.report.reportOnFatalError = true;
  } catch {
    // A read-only home: the engine runs without crash reports rather than not at all.
  }
}

/** One JSON note for an error the process guard caught (the engine kept serving): when, what, the stack, scrubbed. */
export function writeCrashNote(dir: string, what: string, e: unknown): void {
  const ts = new Date();
  const err = e instanceof Error ? { name: e.name, message: scrub(e.message), stack: e.stack ? scrub(e.stack) : undefined } : { message: scrub(String(e)) };
  try {
    ensurePrivateDir(dir);
    writeFileSync(join(dir, `engine-${ts.toISOString().replace(/[:.]/g, '-')}-${process.pid}.json`), JSON.stringify({ ts: ts.toISOString(), what, error: err, versions: process.versions }, null, 2) + '\n', { mode: 0o600 });
  } catch {
    // the log line is the record then
  }
}
