import { KeelError } from '../core/errors';
import { CATALOGUE, computeIndicator, findIndicator, resolveParams, takesSource } from '../features/catalogue';
import type { IndicatorCatalogueEntry, PriceSource } from '../../protocol/index';
import type { IndicatorService } from './services';

/**
 * Bars read before the start of an indicator range. Recursive indicators (EMA, Wilder's RSI
 * and ATR) forget their seed geometrically: after 1,000 bars the seed's weight is below
 * 1e-30 for periods up to 30, so the values equal the whole history's to double precision
 * in practice (not bit for bit: the seed differs).
 */
export const INDICATOR_WARMUP_BARS = 1000;

/** The feature library's catalogue in the protocol's shape. */
export const indicatorService: IndicatorService = {
  catalogue(): IndicatorCatalogueEntry[] {
    return CATALOGUE.map((s) => ({
      id: s.id,
      name: s.name,
      group: s.group,
      kind: s.kind,
      params: s.params.map((p) => ({ name: p.name, label: p.label, default: p.default, min: p.min, max: p.max, step: p.step, integer: p.type === 'int' })),
      outputs: s.outputs.map((o) => ({ name: o.name, label: o.label, style: o.style })),
      sourced: takesSource(s),
      ...(s.guides && { guides: [...s.guides] }),
    }));
  },
  compute: (series, id, params, source) => computeIndicator(id, series, params, source),
};

/**
 * Refuses an indicator reading that cannot be computed (an unknown indicator, output or
 * parameter, a source on an indicator of several prices), naming the field under `where`.
 */
export function checkIndicatorReading(r: { indicator: string; params: Record<string, number>; output: string; source?: PriceSource }, where: string): void {
  const spec = findIndicator(r.indicator);
  if (!spec) throw new KeelError('BAD_INPUT', `unknown indicator "${r.indicator}"`, { where: `${where}.indicator` });
  try {
    resolveParams(spec, r.params);
  } catch (e) {
    throw new KeelError('BAD_INPUT', e instanceof Error ? e.message : String(e), { where: `${where}.params` });
  }
  if (!spec.outputs.some((o) => o.name === r.output)) {
    throw new KeelError('BAD_INPUT', `${spec.name} has no output "${r.output}" (it has ${spec.outputs.map((o) => o.name).join(', ')})`, { where: `${where}.output` });
  }
  if (r.source !== undefined && r.source !== 'close' && !takesSource(spec)) {
    throw new KeelError('BAD_INPUT', `${spec.name} reads ${spec.inputs.join(', ')}; only an indicator of one price takes a source`, { where: `${where}.source` });
  }
}
