import { useId, type ReactNode } from 'react';

interface TabsProps<K extends string> {
  label: string;
  tabs: { key: K; label: string; badge?: number }[];
  active: K;
  onChange: (k: K) => void;
  actions?: ReactNode;
  children: ReactNode;
}

/** ARIA tabs: a tablist, tabs that say which is selected, one tabpanel. */
export function Tabs<K extends string>({ label, tabs, active, onChange, actions, children }: TabsProps<K>) {
  const base = useId();
  const activeLabel = tabs.find((t) => t.key === active)?.label ?? '';
  return (
    <div className="tabs">
      <div className="tabs-bar">
        <div role="tablist" aria-label={label}>
          {tabs.map((t) => (
            <button
              key={t.key}
              role="tab"
              id={`${base}-${t.key}`}
              aria-selected={t.key === active}
              aria-controls={`${base}-panel`}
              aria-label={t.badge ? `${t.label} (${t.badge})` : t.label}
              tabIndex={t.key === active ? 0 : -1}
              onClick={() => onChange(t.key)}
              onKeyDown={(e) => {
                const i = tabs.findIndex((x) => x.key === active);
                const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
                if (d) onChange(tabs[(i + d + tabs.length) % tabs.length]!.key);
              }}
            >
              {t.label}
              {t.badge ? <span className="badge-count" aria-hidden="true">{t.badge}</span> : null}
            </button>
          ))}
        </div>
        <div className="tabs-actions">{actions}</div>
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-label={activeLabel} className="tabs-panel">
        {children}
      </div>
    </div>
  );
}
