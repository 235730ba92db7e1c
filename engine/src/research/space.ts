/**
 * The search space of a sweep: the parameter ranges a strategy declares, narrowed on the
 * command line (`--param-range fast=5:50:5`) or pinned (`--param slow=200`), and the ways to
 * walk it: the whole grid, or seeded random draws from it. Every point is checked by the
 * strategy's own resolveParams (ranges and validate()), so a sweep never runs a combination
 * a plain backtest would refuse; such points are skipped and counted.
 */
import { badInput } from '../core/errors';
import { Rng } from '../risk/analytics/random';
import { resolveParams, type ParamValue, type RawParams } from '../strategy/params';
import type { ParamSpec, StrategyModule } from '../../sdk';

export type Params = Record<string, ParamValue>;

/** One searched parameter. Numeric ones without a step are continuous (random and TPE only). */
export type Dimension =
  | { name: string; kind: 'int' | 'float'; lo: number; hi: number; step: number | undefined }
  | { name: string; kind: 'bool' }
  | { name: string; kind: 'choice'; choices: readonly string[] };

export interface ParamSpace {
  strategy: StrategyModule;
  dims: Dimension[];
  /** Parameters held at one value for the whole sweep (--param k=v). */
  fixed: RawParams;
}

/** Decimal places of a step, so 0.1 + 0.2 lands on 0.3 and not on 0.30000000000000004. */
function decimals(x: number): number {
  const s = String(x);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function declared(name: string, spec: ParamSpec): Dimension {
  if (spec.kind === 'int' || spec.kind === 'float') return { name, kind: spec.kind, lo: spec.min, hi: spec.max, step: spec.step };
  if (spec.kind === 'bool') return { name, kind: 'bool' };
  return { name, kind: 'choice', choices: spec.choices };
}

/** `name=lo:hi[:step]` within the parameter's declared range. */
export function parseParamRange(strategy: StrategyModule, text: string): Dimension {
  const where = `--param-range ${text}`;
  const eq = text.indexOf('=');
  if (eq <= 0) throw badInput('expected name=lo:hi:step', where);
  const name = text.slice(0, eq).trim();
  const spec = strategy.params[name];
  if (!spec) throw badInput(`unknown parameter "${name}" (${strategy.id} takes: ${Object.keys(strategy.params).join(', ') || 'none'})`, where);
  if (spec.kind !== 'int' && spec.kind !== 'float') throw badInput(`${name} is a ${spec.kind} parameter; only numbers take a range (pin it with --param ${name}=…)`, where);
  const parts = text.slice(eq + 1).split(':').map((p) => p.trim());
  if (parts.length < 2 || parts.length > 3) throw badInput('expected name=lo:hi or name=lo:hi:step', where);
  const [lo, hi, step] = parts.map((p) => (p === '' ? NaN : Number(p))) as [number, number, number | undefined];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw badInput('lo and hi must be numbers', where);
  if (lo > hi) throw badInput(`lo (${lo}) must not be above hi (${hi})`, where);
  if (lo < spec.min || hi > spec.max) throw badInput(`must lie within ${name}'s declared range ${spec.min}..${spec.max}`, where);
  const s = parts.length === 3 ? step : spec.step;
  if (s !== undefined && !(Number.isFinite(s) && s > 0)) throw badInput(`step must be a positive number, got ${parts[2]}`, where);
  if (spec.kind === 'int' && (!Number.isInteger(lo) || !Number.isInteger(hi) || (s !== undefined && !Number.isInteger(s)))) {
    throw badInput(`${name} is a whole number: lo, hi and step must be whole`, where);
  }
  return { name, kind: spec.kind, lo, hi, step: spec.kind === 'int' ? (s ?? 1) : s };
}

/** The space: every parameter the strategy declares, narrowed by `ranges`, minus those pinned in `fixed`. */
export function buildSpace(strategy: StrategyModule, ranges: readonly string[], fixed: RawParams = {}): ParamSpace {
  const narrowed = new Map<string, Dimension>();
  for (const r of ranges) {
    const d = parseParamRange(strategy, r);
    if (narrowed.has(d.name)) throw badInput(`${d.name} has two ranges`, '--param-range');
    if (d.name in fixed) throw badInput(`${d.name} is both pinned (--param) and searched (--param-range)`, '--param-range');
    narrowed.set(d.name, d);
  }
  const dims = Object.entries(strategy.params)
    .filter(([name]) => !(name in fixed))
    .map(([name, spec]) => narrowed.get(name) ?? declared(name, spec));
  return { strategy, dims, fixed };
}

/** The values a dimension takes on a grid; undefined for a continuous one. */
export function gridValues(d: Dimension): ParamValue[] | undefined {
  if (d.kind === 'bool') return [false, true];
  if (d.kind === 'choice') return [...d.choices];
  if (d.step === undefined) return undefined;
  const places = Math.max(decimals(d.lo), decimals(d.step));
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const v = d.kind === 'int' ? d.lo + k * d.step : Number((d.lo + k * d.step).toFixed(places));
    if (v > d.hi + d.step * 1e-9) break;
    out.push(Math.min(v, d.hi));
  }
  return out;
}

/** Points on the grid (before validity checks), or Infinity when a dimension is continuous. */
export function gridSize(space: ParamSpace): number {
  let n = 1;
  for (const d of space.dims) {
    const v = gridValues(d);
    if (!v) return Infinity;
    n *= v.length;
  }
  return n;
}

/** The full parameter set of a point: its searched values over the pinned ones, defaults for the rest. */
export function fullParams(space: ParamSpace, point: Params): Params {
  return resolveParams(space.strategy, { ...space.fixed, ...point });
}

/** Points the strategy refuses, for the summary: how many and the first reason. */
export class Skipped {
  count = 0;
  first: string | undefined;
  note(e: unknown): void {
    this.count++;
    this.first ??= e instanceof Error ? e.message : String(e);
  }
}

/** The resolved parameters of `point`, or undefined (and counted) where the strategy refuses them. */
export function validPoint(space: ParamSpace, point: Params, skipped: Skipped): Params | undefined {
  try {
    return fullParams(space, point);
  } catch (e) {
    skipped.note(e);
    return undefined;
  }
}

/** A stable identity of a parameter set (keys in the strategy's declared order). */
export function paramsKey(strategy: StrategyModule, p: Params): string {
  return JSON.stringify(Object.keys(strategy.params).map((k) => p[k]));
}

/** Every valid grid point, first dimension slowest. Refuses a grid larger than `max`. */
export function gridPoints(space: ParamSpace, skipped: Skipped, max = 100_000): Params[] {
  const size = gridSize(space);
  if (size === Infinity) {
    const d = space.dims.find((x) => !gridValues(x))!;
    throw badInput(`${d.name} has no step, so it has no grid; give --param-range ${d.name}=lo:hi:step or use --method random`, '--method grid');
  }
  if (size > max) {
    throw badInput(`the grid has ${size.toLocaleString('en-US')} points (more than ${max.toLocaleString('en-US')}); narrow it with --param-range or use --method random|tpe --trials N`, '--method grid');
  }
  const values = space.dims.map((d) => gridValues(d)!);
  const out: Params[] = [];
  const idx = new Array<number>(values.length).fill(0);
  for (let i = 0; i < size; i++) {
    const point: Params = {};
    space.dims.forEach((d, k) => (point[d.name] = values[k]![idx[k]!]!));
    const p = validPoint(space, point, skipped);
    if (p) out.push(p);
    for (let k = values.length - 1; k >= 0; k--) {
      if (++idx[k]! < values[k]!.length) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** One uniform draw from the space (a grid value where the dimension has a step). */
export function drawPoint(space: ParamSpace, rng: Rng): Params {
  const point: Params = {};
  for (const d of space.dims) {
    const grid = gridValues(d);
    if (grid) point[d.name] = grid[rng.nextInt(grid.length)]!;
    else if (d.kind === 'int' || d.kind === 'float') point[d.name] = d.lo + rng.nextFloat() * (d.hi - d.lo);
  }
  return point;
}

/**
 * `n` distinct valid points drawn uniformly under `seed`. A space with fewer valid points
 * than `n` gives them all; draws stop after 50·n attempts, so a space that is mostly
 * invalid ends early rather than spinning.
 */
export function randomPoints(space: ParamSpace, n: number, seed: number, skipped: Skipped, seen = new Set<string>()): Params[] {
  const rng = new Rng(seed);
  const out: Params[] = [];
  const size = gridSize(space);
  if (size <= n) {
    const all = gridPoints(space, skipped).filter((p) => !seen.has(paramsKey(space.strategy, p)));
    for (let i = all.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    return all;
  }
  for (let attempt = 0; out.length < n && attempt < 50 * n; attempt++) {
    const p = validPoint(space, drawPoint(space, rng), skipped);
    if (!p) continue;
    const key = paramsKey(space.strategy, p);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}
