import { CATALOGUE, computeIndicator } from '../features/catalogue';
import type { IndicatorCatalogueEntry } from '../../protocol/index';
import type { IndicatorService } from './services';

/** The feature library's catalogue in the protocol's shape. */
export const indicatorService: IndicatorService = {
  catalogue(): IndicatorCatalogueEntry[] {
    return CATALOGUE.map((s) => ({
      id: s.id,
      name: s.name,
      group: s.group,
      kind: s.kind,
      params: s.params.map((p) => ({ name: p.name, default: p.default, min: p.min, max: p.max })),
      outputs: s.outputs.map((o) => ({ name: o.name, label: o.label, style: o.style })),
    }));
  },
  compute: (series, id, params) => computeIndicator(id, series, params),
};
