import { useState } from 'react';
import { LINE_STYLES, PRICE_SOURCES } from '../../../engine/protocol/definitions';
import type { IndicatorCatalogueEntry, LineStyleName, PriceSource } from '../../../engine/protocol';
import { Dialog } from '../components/Dialog';
import { indicatorLabel, useMarket, type ActiveIndicator } from '../store/market';
import { palette } from '../theme';

type ParamSpec = IndicatorCatalogueEntry['params'][number];

/** What is wrong with a parameter as typed, in the catalogue's own terms (range, whole number), or undefined. */
export function paramProblem(p: ParamSpec, raw: string): string | undefined {
  const s = raw.trim();
  if (s === '') return `${p.label} is missing`;
  const n = Number(s);
  if (!Number.isFinite(n)) return `${p.label} must be a number`;
  if (p.integer && !Number.isInteger(n)) return `${p.label} must be a whole number`;
  if (n < p.min || n > p.max) return `${p.label} must be between ${p.min} and ${p.max}`;
  return undefined;
}

const SOURCE_LABELS: Record<PriceSource, string> = { close: 'Close', open: 'Open', high: 'High', low: 'Low', hl2: '(H+L)/2', hlc3: '(H+L+C)/3', ohlc4: '(O+H+L+C)/4' };

/** An indicator's parameters, source, colours and line style; applied to the chart it is on. */
export function IndicatorSettings({ entry, ind, onClose }: { entry: IndicatorCatalogueEntry; ind: ActiveIndicator; onClose: () => void }) {
  const update = useMarket((s) => s.updateIndicator);
  const [params, setParams] = useState<Record<string, string>>(() => Object.fromEntries(entry.params.map((p) => [p.name, String(ind.params[p.name] ?? p.default)])));
  const [source, setSource] = useState<PriceSource>(ind.source ?? 'close');
  const [colors, setColors] = useState<string[]>(() => entry.outputs.map((_, k) => ind.colors?.[k] ?? palette.series[k % palette.series.length]!));
  const [lineStyle, setLineStyle] = useState<LineStyleName>(ind.lineStyle ?? 'solid');
  const [lineWidth, setLineWidth] = useState(ind.lineWidth ?? 1);
  const problems = entry.params.map((p) => paramProblem(p, params[p.name] ?? ''));
  const ok = problems.every((p) => p === undefined);
  const label = indicatorLabel(entry, ind).full;
  return (
    <Dialog title={`${entry.name} settings`} onClose={onClose}>
      <form
        className="form-grid"
        aria-label={`Settings of ${label}`}
        onSubmit={(e) => {
          e.preventDefault();
          if (!ok) return;
          update(ind.key, {
            params: Object.fromEntries(entry.params.map((p) => [p.name, Number(params[p.name])])),
            ...(entry.sourced ? { source } : {}),
            colors,
            lineStyle,
            lineWidth,
          });
          onClose();
        }}
      >
        {entry.params.map((p, i) => (
          <label key={p.name}>
            <span>
              {p.label} <span className="dim small">{p.integer ? `${p.min}–${p.max}` : `${p.min}–${p.max}, step ${p.step}`}</span>
            </span>
            <input
              inputMode="decimal"
              aria-label={p.label}
              aria-invalid={Boolean(problems[i])}
              value={params[p.name]}
              onChange={(e) => setParams({ ...params, [p.name]: e.target.value })}
            />
            {problems[i] && (
              <span className="down small" role="alert">
                {problems[i]}
              </span>
            )}
          </label>
        ))}
        {entry.sourced && (
          <label>
            Source
            <select value={source} onChange={(e) => setSource(e.target.value as PriceSource)}>
              {PRICE_SOURCES.map((s) => (
                <option key={s} value={s}>
                  {SOURCE_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
        )}
        {entry.outputs.map((o, k) =>
          o.style === 'line' || o.style === 'dots' ? (
            <label key={o.name} className="color-field">
              Colour of {entry.outputs.length === 1 ? 'the line' : o.label}
              <input type="color" value={colors[k]} onChange={(e) => setColors(colors.map((c, j) => (j === k ? e.target.value : c)))} />
            </label>
          ) : null,
        )}
        {entry.outputs.some((o) => o.style === 'line') && (
          <>
            <label>
              Line style
              <select value={lineStyle} onChange={(e) => setLineStyle(e.target.value as LineStyleName)}>
                {LINE_STYLES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
            <label>
              Line width
              <select value={lineWidth} onChange={(e) => setLineWidth(Number(e.target.value))}>
                {[1, 2, 3, 4].map((w) => (
                  <option key={w} value={w}>
                    {w}px
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        <div className="dialog-actions span2">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!ok}>
            Apply
          </button>
        </div>
      </form>
    </Dialog>
  );
}
