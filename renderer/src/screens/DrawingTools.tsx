import { DRAWING_KINDS, DRAWING_LABELS, LINE_DRAWINGS } from '../../../engine/protocol/definitions';
import type { Drawing, DrawingKind } from '../../../engine/protocol';
import { Popover } from '../components/Popover';
import { fmtPrice, fmtTime } from '../lib/format';
import { createAlert } from '../store/alerts';
import { deleteDrawing, useDrawings } from '../store/drawings';
import { useMarket } from '../store/market';
import { useUi } from '../store/ui';
import { errorText } from '../store/wire';

const ICONS: Record<DrawingKind, string> = { trend: '╱', hline: '─', ray: '↗', rect: '▭', fib: 'ƒ', text: 'T' };
const NONE: Drawing[] = [];

/** A drawing named for the list: its kind and where it is ("Horizontal line 23,000.00"). */
export function drawingName(d: Drawing): string {
  const [a, b] = d.points;
  if (d.kind === 'text') return `${DRAWING_LABELS.text} "${d.text ?? ''}"`;
  if (d.kind === 'hline' || !b) return `${DRAWING_LABELS[d.kind]} ${fmtPrice(a!.price)}`;
  return `${DRAWING_LABELS[d.kind]} ${fmtPrice(a!.price)} → ${fmtPrice(b.price)}`;
}

/** The drawing tools, and the list of the symbol's drawings (select, set an alert on a line, delete). */
export function DrawingTools() {
  const tool = useDrawings((s) => s.tool);
  const setTool = useDrawings((s) => s.setTool);
  const selected = useDrawings((s) => s.selected);
  const symbol = useMarket((s) => s.symbol);
  const drawings = useDrawings((s) => (symbol ? (s.bySymbol[symbol] ?? NONE) : NONE));
  const notify = useUi((s) => s.notify);
  const saving = useDrawings((s) => s.saving > 0);
  return (
    <div className="drawing-tools" role="group" aria-label="Drawing">
      <div className="seg" role="group" aria-label="Drawing tools">
        {DRAWING_KINDS.map((k) => (
          <button key={k} aria-pressed={tool === k} aria-label={DRAWING_LABELS[k]} title={`${DRAWING_LABELS[k]}${tool === k ? ' (Esc to put down)' : ''}`} onClick={() => setTool(tool === k ? undefined : k)}>
            {ICONS[k]}
          </button>
        ))}
      </div>
      <Popover label={`Drawings (${drawings.length})${saving ? ' · saving…' : ''} ▾`} title="Drawings" disabled={!symbol}>
        {() => (
          <>
            {drawings.length === 0 && <p className="dim small">Nothing drawn on {symbol} yet: pick a tool and click on the chart.</p>}
            <ul className="menu-rows" aria-label={`Drawings on ${symbol ?? ''}`} aria-busy={saving}>
              {drawings.map((d) => {
                const name = drawingName(d);
                return (
                  <li key={d.id} aria-current={d.id === selected ? 'true' : undefined}>
                    <button className="grow" title={`Select (then arrows move it, Delete removes it); drawn ${fmtTime(d.updatedAt)}`} onClick={() => useDrawings.getState().select(d.id)}>
                      {name}
                    </button>
                    {LINE_DRAWINGS.includes(d.kind) && (
                      <button
                        aria-label={`Alert when price crosses ${name}`}
                        title="Alert when the price crosses this line"
                        onClick={() =>
                          createAlert({ condition: { kind: 'drawing', symbol: d.symbol, drawingId: d.id, cross: 'any' }, mode: 'once' })
                            .then(() => notify('ok', `Alert set on the ${name.toLowerCase()}`))
                            .catch((e) => notify('error', `Alert not set: ${errorText(e)}`))
                        }
                      >
                        Alert
                      </button>
                    )}
                    <button aria-label={`Delete ${name}`} onClick={() => void deleteDrawing(d)}>
                      ×
                    </button>
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </Popover>
    </div>
  );
}
