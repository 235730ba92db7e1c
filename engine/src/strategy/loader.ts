/**
 * Where strategy modules come from: the registry of the ones Keel ships (strategies/index.ts)
 * and, for a trader's own work, a .ts file loaded by path.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { KeelError, badInput } from '../core/errors';
import type { StrategyModule } from '../../sdk';
import { strategies } from '../../../strategies';

export function listStrategies(): readonly StrategyModule[] {
  return strategies as readonly StrategyModule[];
}

export function getStrategy(id: string): StrategyModule {
  const found = listStrategies().find((s) => s.id === id);
  if (!found) {
    throw new KeelError('NOT_FOUND', `no strategy "${id}" (known: ${listStrategies().map((s) => s.id).join(', ')})`, { where: '--strategy' });
  }
  return found;
}

/** Checks that a module's default export has the shape the runtime relies on. */
export function checkStrategyModule(m: unknown, where: string): StrategyModule {
  const s = m as Partial<StrategyModule> | undefined;
  if (!s || typeof s !== 'object') throw badInput('the module has no default export (use `export default defineStrategy({...})`)', where);
  for (const key of ['id', 'name', 'description'] as const) {
    if (typeof s[key] !== 'string' || s[key] === '') throw badInput(`the strategy needs a non-empty string "${key}"`, where);
  }
  if (!s.params || typeof s.params !== 'object') throw badInput('the strategy needs a "params" object', where);
  if (typeof s.create !== 'function') throw badInput('the strategy needs a create(ctx, params) function', where);
  return s as StrategyModule;
}

/** A strategy reference names a trader's file (it has a folder or a script extension), else a shipped id. */
export function isStrategyFile(ref: string): boolean {
  return /[\\/]|\.[cm]?[tj]s$/.test(ref);
}

/** What identifies a strategy's code in a forward run's record: its file's SHA-256, or `shipped:<id>`. */
export function strategySourceHash(module: StrategyModule, file: string | undefined): string {
  return file === undefined ? `shipped:${module.id}` : createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Loads a strategy from a file (default export); a registered id works too. */
export async function loadStrategy(idOrPath: string, cwd: string): Promise<StrategyModule> {
  if (!isStrategyFile(idOrPath)) return getStrategy(idOrPath);
  const file = resolve(cwd, idOrPath);
  if (!existsSync(file)) throw new KeelError('NOT_FOUND', `no such file ${file}`, { where: '--strategy' });
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  return checkStrategyModule(mod.default, `strategy file ${file}`);
}
