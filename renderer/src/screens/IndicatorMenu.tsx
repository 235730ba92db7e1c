import { useEffect, useRef, useState } from 'react';
import { indicatorLabel, useMarket } from '../store/market';

/** A menu of the engine's indicator catalogue, and chips to remove what is on the chart. */
export function IndicatorMenu() {
  const catalogue = useMarket((s) => s.catalogue);
  const active = useMarket((s) => s.indicators);
  const add = useMarket((s) => s.addIndicator);
  const remove = useMarket((s) => s.removeIndicator);
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    box.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
    const close = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [open]);

  const onMenuKey = (e: React.KeyboardEvent) => {
    const items = [...(box.current?.querySelectorAll<HTMLElement>('[role=menuitem]') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      e.stopPropagation();
      setOpen(false);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      items[(i + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length]?.focus();
    }
  };

  const overlays = catalogue.filter((c) => c.kind === 'overlay');
  const panes = catalogue.filter((c) => c.kind === 'pane');

  return (
    <div className="ind-menu" ref={box}>
      <button aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)} disabled={catalogue.length === 0}>
        Indicators ▾
      </button>
      {open && (
        <div role="menu" aria-label="Indicators" className="menu" onKeyDown={onMenuKey}>
          {[
            ['Overlays', overlays],
            ['Panes', panes],
          ].map(([title, entries]) =>
            (entries as typeof catalogue).length ? (
              <div key={title as string} role="group" aria-label={title as string}>
                <div className="menu-title">{title as string}</div>
                {(entries as typeof catalogue).map((e) => (
                  <button
                    key={e.id}
                    role="menuitem"
                    onClick={() => {
                      add(e);
                      setOpen(false);
                    }}
                  >
                    {e.name}
                    <span className="dim">{e.params.map((p) => p.default).join(', ')}</span>
                  </button>
                ))}
              </div>
            ) : null,
          )}
        </div>
      )}
      <ul className="chips" aria-label="Indicators on chart">
        {active.map((ind) => {
          const label = indicatorLabel(
            catalogue.find((c) => c.id === ind.id),
            ind,
          );
          return (
            <li key={ind.key} className="chip">
              {label}
              <button aria-label={`Remove ${label}`} title={`Remove ${label}`} onClick={() => remove(ind.key)}>
                ×
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
