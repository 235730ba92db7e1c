import { useState } from 'react';
import { CHART_COUNTS, WORKSPACE_LIMITS } from '../../../engine/protocol/definitions';
import { Popover } from '../components/Popover';
import { useMarket } from '../store/market';
import { useUi } from '../store/ui';
import { errorText } from '../store/wire';
import { deleteLayout, loadLayout, saveLayout, useWorkspace } from '../store/workspace';

const COUNT_LABELS: Record<number, string> = { 1: 'One chart', 2: 'Two charts', 4: 'Four charts' };

/** How many charts, how they are linked, and layouts saved by name. */
export function LayoutControls() {
  const count = useMarket((s) => s.count);
  const linkSymbol = useMarket((s) => s.linkSymbol);
  const linkCrosshair = useMarket((s) => s.linkCrosshair);
  const setCount = useMarket((s) => s.setCount);
  const setLink = useMarket((s) => s.setLink);
  const layouts = useWorkspace((s) => s.layouts);
  const notify = useUi((s) => s.notify);
  const [name, setName] = useState('');
  const names = Object.keys(layouts).sort();
  return (
    <div className="layout-controls" role="group" aria-label="Chart layout">
      <div role="radiogroup" aria-label="Charts" className="seg">
        {CHART_COUNTS.map((n) => (
          <button key={n} role="radio" aria-checked={n === count} aria-label={COUNT_LABELS[n]} title={COUNT_LABELS[n]} onClick={() => setCount(n)}>
            {n === 1 ? '▣' : n === 2 ? '◫' : '⊞'}
          </button>
        ))}
      </div>
      {count > 1 && (
        <div className="seg" role="group" aria-label="Link charts">
          <button aria-pressed={linkSymbol} title="Link the charts by symbol: changing one changes all" onClick={() => setLink({ symbol: !linkSymbol })}>
            Link symbol
          </button>
          <button aria-pressed={linkCrosshair} title="Link the crosshairs: the same time on every chart" onClick={() => setLink({ crosshair: !linkCrosshair })}>
            Link crosshair
          </button>
        </div>
      )}
      <Popover label="Layouts ▾" title="Layouts">
        {(close) => (
          <>
            <form
              className="row"
              onSubmit={(e) => {
                e.preventDefault();
                const n = name.trim();
                if (!n) return;
                saveLayout(n)
                  .then(() => notify('ok', `Layout "${n}" saved`))
                  .catch((err) => notify('error', `Layout not saved: ${errorText(err)}`));
                setName('');
              }}
            >
              <input aria-label="Layout name" placeholder="Save this layout as…" value={name} maxLength={WORKSPACE_LIMITS.layoutName} onChange={(e) => setName(e.target.value)} />
              <button type="submit" disabled={!name.trim()}>
                Save
              </button>
            </form>
            {names.length === 0 && <p className="dim small">No layouts saved yet.</p>}
            <ul className="menu-rows" aria-label="Saved layouts">
              {names.map((n) => (
                <li key={n}>
                  <button
                    className="grow"
                    onClick={() => {
                      loadLayout(n);
                      close();
                    }}
                  >
                    {n} <span className="dim">{layouts[n]!.count} chart{layouts[n]!.count === 1 ? '' : 's'}</span>
                  </button>
                  <button aria-label={`Delete layout ${n}`} onClick={() => void deleteLayout(n).catch((err) => notify('error', errorText(err)))}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </Popover>
    </div>
  );
}
