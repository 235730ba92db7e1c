import { useEffect, useRef, useState } from 'react';
import type { IndicatorCatalogueEntry } from '../../../engine/protocol';
import { indicatorLabel, isPattern, useMarket, type ActiveIndicator } from '../store/market';
import { IndicatorSettings } from './IndicatorSettings';

function groups(catalogue: IndicatorCatalogueEntry[], filter: string): [string, IndicatorCatalogueEntry[]][] {
  const f = filter.trim().toLowerCase();
  const shown = f ? catalogue.filter((c) => c.name.toLowerCase().includes(f) || c.id.toLowerCase().includes(f)) : catalogue;
  const out: [string, IndicatorCatalogueEntry[]][] = [
    ['Overlays', shown.filter((c) => c.kind === 'overlay' && !isPattern(c))],
    ['Panes', shown.filter((c) => c.kind === 'pane' && !isPattern(c))],
    ['Candlestick patterns', shown.filter((c) => isPattern(c))],
  ];
  return out.filter(([, entries]) => entries.length > 0);
}

/** A menu of the engine's indicator catalogue, and chips to remove what is on the chart. */
export function IndicatorMenu() {
  const catalogue = useMarket((s) => s.catalogue);
  const active = useMarket((s) => s.indicators);
  const add = useMarket((s) => s.addIndicator);
  const remove = useMarket((s) => s.removeIndicator);
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState<ActiveIndicator | undefined>();
  const editingEntry = editing && catalogue.find((c) => c.id === editing.id);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    setFilter('');
    box.current?.querySelector<HTMLElement>('.menu input')?.focus();
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
    } else if (e.key === 'Enter' && i < 0 && items[0]) {
      e.preventDefault();
      items[0].click();
    }
  };

  return (
    <div className="ind-menu" ref={box}>
      <button aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)} disabled={catalogue.length === 0}>
        Indicators ▾
      </button>
      {open && (
        <div className="menu" onKeyDown={onMenuKey}>
          <input aria-label="Filter indicators" placeholder="Filter…" value={filter} onChange={(e) => setFilter(e.target.value)} />
          <div role="menu" aria-label="Indicators" className="menu-list">
            {groups(catalogue, filter).map(([title, entries]) => (
              <div key={title} role="group" aria-label={title}>
                <div className="menu-title">{title}</div>
                {entries.map((e) => (
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
            ))}
          </div>
        </div>
      )}
      <ul className="chips" aria-label="Indicators on chart">
        {active.map((ind) => {
          const entry = catalogue.find((c) => c.id === ind.id);
          const label = indicatorLabel(entry, ind);
          return (
            <li key={ind.key} className="chip" title={label.full}>
              <span className="chip-swatch" style={{ background: ind.colors?.[0] }} aria-hidden="true" />
              <button className="chip-label" aria-label={`Settings of ${label.full}`} title={`Settings of ${label.full}`} onClick={() => setEditing(ind)} disabled={!entry}>
                {label.short}
              </button>
              <button aria-label={`Remove ${label.full}`} title={`Remove ${label.full}`} onClick={() => remove(ind.key)}>
                ×
              </button>
            </li>
          );
        })}
      </ul>
      {editing && editingEntry && <IndicatorSettings entry={editingEntry} ind={editing} onClose={() => setEditing(undefined)} />}
    </div>
  );
}
