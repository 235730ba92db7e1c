/**
 * The limits form, the wire and the engine judge every value alike. The cases are built from
 * the one definition (RISK_LIMIT_SPECS): for each bound of each limit, the bound itself, the
 * nearest value inside and the nearest outside; non-integers for whole-number limits; wrong
 * values for choices. Each case carries the verdict its construction implies (inside: taken,
 * outside: refused, on: taken only when the bound is inclusive), and all three must give it.
 */
import { describe, expect, it } from 'vitest';
import { KeelError } from '../../src/core/errors';
import { DEFAULT_LIMITS, LIMIT_KEYS, limitInputAttributes, limitRangeText, RISK_LIMIT_SPECS, type LimitKey, type LimitSpec } from '../../src/model/risk-limits';
import { RiskEngine } from '../../src/risk/engine';
import { parseParams } from '../../protocol/schemas';
import { limitChanges } from '../../../renderer/src/screens/limits';

/** The adjacent double: the smallest step a value can take past a bound. */
function nextAfter(x: number, direction: 1 | -1): number {
  if (x === 0) return direction * Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, bits + ((x > 0) === (direction > 0) ? 1n : -1n));
  return view.getFloat64(0);
}

interface Case {
  key: LimitKey;
  value: unknown;
  why: string;
  accept: boolean;
  /** A value a person can type into the form (numbers and strings); others reach only the wire and the engine. */
  typeable: boolean;
}

function casesOf(key: LimitKey, spec: LimitSpec): Case[] {
  const c = (value: unknown, why: string, accept: boolean, typeable = true): Case => ({ key, value, why, accept, typeable });
  if (spec.kind === 'enum') {
    return [
      ...spec.values.map((v) => c(v, 'a listed value', true)),
      c(spec.values[0]!.toLowerCase(), 'a listed value in the wrong case', false),
      c('', 'empty', false),
      c('ACTIVE', 'a trading state that is not a choice here', false),
      c('PANIC', 'not listed', false),
      c(0, 'a number', false, false),
      c(null, 'null', false, false),
    ];
  }
  const int = spec.kind === 'int';
  const step = (b: number, d: 1 | -1) => (int ? b + d : nextAfter(b, d));
  const { min, max } = spec;
  return [
    c(min.value, `on the lower bound (${min.inclusive ? 'inclusive' : 'exclusive'})`, min.inclusive),
    c(step(min.value, 1), 'just inside the lower bound', true),
    c(step(min.value, -1), 'just outside the lower bound', false),
    c(max.value, `on the upper bound (${max.inclusive ? 'inclusive' : 'exclusive'})`, max.inclusive),
    c(step(max.value, -1), 'just inside the upper bound', true),
    c(step(max.value, 1), 'just outside the upper bound', false),
    ...(int ? [c(min.value + 0.5, 'a fraction inside the range', false), c(max.value - 0.5, 'a fraction inside the range', false)] : []),
    c(spec.default, 'the default', true),
    c(NaN, 'not a number', false),
    c(Infinity, 'infinite', false),
    c(-Infinity, 'minus infinite', false),
    c(String(spec.default), 'a number as text', false, false),
    c(null, 'null', false, false),
    c(true, 'a boolean', false, false),
  ];
}

const CASES: Case[] = LIMIT_KEYS.flatMap((k) => casesOf(k, RISK_LIMIT_SPECS[k]));

function engineVerdict(engine: RiskEngine, k: LimitKey, v: unknown): { ok: boolean; message?: string } {
  try {
    engine.setLimits({ [k]: v } as never, 'test');
    return { ok: true };
  } catch (e) {
    if (!(e instanceof KeelError)) throw e;
    const fields = e.details?.fields as { field: string; message: string }[];
    expect(fields.map((f) => f.field)).toEqual([k]);
    return { ok: false, message: fields[0]!.message };
  }
}

describe('one definition of the risk limits', () => {
  it('every limit gets cases on, inside and outside each bound, and both verdicts occur for each', () => {
    for (const k of LIMIT_KEYS) {
      const mine = CASES.filter((c) => c.key === k);
      expect(mine.some((c) => c.accept), k).toBe(true);
      expect(mine.some((c) => !c.accept), k).toBe(true);
    }
    expect(CASES.length).toBeGreaterThan(LIMIT_KEYS.length * 7);
  });

  it('the engine, the wire schema and the limits form agree with the definition on every case', () => {
    const engine = new RiskEngine();
    const disagreements: string[] = [];
    for (const c of CASES) {
      const spec = RISK_LIMIT_SPECS[c.key];
      const label = `${c.key} = ${typeof c.value === 'string' ? JSON.stringify(c.value) : String(c.value)} (${c.why})`;
      const byEngine = engineVerdict(engine, c.key, c.value);
      const byWire = parseParams('risk.setLimits', { [c.key]: c.value });
      if (byEngine.ok !== c.accept) disagreements.push(`engine ${byEngine.ok ? 'took' : 'refused'} ${label}`);
      if (byWire.ok !== c.accept) disagreements.push(`wire ${byWire.ok ? 'took' : 'refused'} ${label}`);
      if (!byWire.ok && byWire.error.where !== c.key) disagreements.push(`wire blamed ${byWire.error.where} for ${label}`);
      if (!byWire.ok && !byWire.error.message.includes(`must be ${limitRangeText(spec)}`)) disagreements.push(`wire said "${byWire.error.message}" for ${label}`);
      if (!c.typeable) continue;
      // The form sees what a person typed: the value's text.
      const typed = String(c.value);
      const byForm = limitChanges(DEFAULT_LIMITS, { [c.key]: typed });
      const formOk = byForm.problems.length === 0;
      if (formOk !== c.accept) disagreements.push(`form ${formOk ? 'took' : 'refused'} ${label}`);
      if (formOk && !Object.is(byForm.changes[c.key] ?? DEFAULT_LIMITS[c.key], c.value)) disagreements.push(`form would send ${String(byForm.changes[c.key])} for ${label}`);
      // Refused: the form says what the engine says, with the field's name in front.
      if (!formOk && byEngine.message && typeof c.value === 'number' && !Number.isNaN(c.value)) {
        if (byForm.problems[0]!.message !== `${spec.label} ${byEngine.message}`) disagreements.push(`form said "${byForm.problems[0]!.message}", engine "${byEngine.message}"`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it("the form's input attributes never forbid a value the engine takes, and forbid whole-number values past the bounds", () => {
    for (const k of LIMIT_KEYS) {
      const spec = RISK_LIMIT_SPECS[k];
      if (spec.kind === 'enum') continue;
      const attrs = limitInputAttributes(spec);
      const htmlAllows = (v: number) => (attrs.min === undefined || v >= attrs.min) && (attrs.max === undefined || v <= attrs.max) && (attrs.step === 'any' || Number.isInteger(v));
      for (const c of CASES.filter((x) => x.key === k && x.accept)) expect(htmlAllows(c.value as number), `${k} = ${String(c.value)}`).toBe(true);
      if (spec.kind === 'int') {
        expect(attrs.step).toBe('1');
        expect(htmlAllows(spec.min.value - 1)).toBe(false);
        expect(htmlAllows(spec.max.value + 1)).toBe(false);
      }
    }
  });

  it('a trader west of UTC can set a negative day boundary everywhere', () => {
    const engine = new RiskEngine();
    expect(limitChanges(DEFAULT_LIMITS, { dayBoundaryUtcOffsetMinutes: '-300' })).toEqual({ changes: { dayBoundaryUtcOffsetMinutes: -300 }, problems: [] });
    expect(parseParams('risk.setLimits', { dayBoundaryUtcOffsetMinutes: -300 })).toEqual({ ok: true, params: { dayBoundaryUtcOffsetMinutes: -300 } });
    expect(engine.setLimits({ dayBoundaryUtcOffsetMinutes: -300 }, 'test').dayBoundaryUtcOffsetMinutes).toBe(-300);
  });
});
