/**
 * Strategy parameters: defaults filled in, kinds and ranges from the spec enforced, the
 * module's own validate() run last. Every error names the strategy and the parameter.
 */
import { badInput } from '../core/errors';
import type { ParamSpec, ParamSpecs, StrategyModule } from '../../sdk';

export type ParamValue = number | boolean | string;
export type RawParams = Record<string, ParamValue | undefined>;

/** The defaults overlaid with `raw`, checked. Throws BAD_INPUT naming the parameter. */
export function resolveParams(module: StrategyModule, raw: RawParams = {}): Record<string, ParamValue> {
  const specs = module.params;
  for (const name of Object.keys(raw)) {
    if (!(name in specs)) {
      throw badInput(`unknown parameter "${name}" (it takes: ${Object.keys(specs).join(', ') || 'none'})`, `strategy ${module.id}`);
    }
  }
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const v = raw[name] ?? spec.default;
    checkValue(module.id, name, spec, v);
    out[name] = v;
  }
  const problem = module.validate?.(out as never);
  if (problem) throw badInput(problem, `strategy ${module.id} params`);
  return out;
}

function checkValue(id: string, name: string, spec: ParamSpec, v: ParamValue): void {
  const where = `strategy ${id} param ${name}`;
  switch (spec.kind) {
    case 'int':
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw badInput(`must be a number, got ${JSON.stringify(v)}`, where);
      if (spec.kind === 'int' && !Number.isInteger(v)) throw badInput(`must be a whole number, got ${v}`, where);
      if (v < spec.min || v > spec.max) throw badInput(`must be between ${spec.min} and ${spec.max}, got ${v}`, where);
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw badInput(`must be true or false, got ${JSON.stringify(v)}`, where);
      return;
    case 'choice':
      if (typeof v !== 'string' || !spec.choices.includes(v)) throw badInput(`must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(v)}`, where);
      return;
  }
}

/** Parses `k=v` pairs (as typed on a command line) into values of each parameter's kind. */
export function parseParamArgs(module: StrategyModule, pairs: readonly string[]): RawParams {
  const out: RawParams = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw badInput(`expected name=value, got "${pair}"`, '--param');
    const name = pair.slice(0, eq).trim();
    const text = pair.slice(eq + 1).trim();
    const spec = module.params[name];
    if (!spec) throw badInput(`unknown parameter "${name}" (it takes: ${Object.keys(module.params).join(', ') || 'none'})`, `strategy ${module.id}`);
    out[name] = parseValue(spec, text, `strategy ${module.id} param ${name}`);
  }
  return out;
}

function parseValue(spec: ParamSpec, text: string, where: string): ParamValue {
  switch (spec.kind) {
    case 'int':
    case 'float': {
      const v = text === '' ? NaN : Number(text);
      if (!Number.isFinite(v)) throw badInput(`must be a number, got "${text}"`, where);
      return v;
    }
    case 'bool':
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw badInput(`must be true or false, got "${text}"`, where);
    case 'choice':
      return text;
  }
}

/** A one-line description of a parameter's kind and range, for listings. */
export function describeParam(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'int':
    case 'float':
      return `${spec.kind} ${spec.min}..${spec.max}${spec.step !== undefined ? ` step ${spec.step}` : ''} (default ${spec.default})`;
    case 'bool':
      return `bool (default ${spec.default})`;
    case 'choice':
      return `one of ${spec.choices.join('|')} (default ${spec.default})`;
  }
}

