import { useUi } from '../store/ui';
import { fmtTime } from '../lib/format';

/** Engine alerts (a flatten that failed, a journal that refused a write) stay on screen until dismissed. */
export function AlertBanner() {
  const alerts = useUi((s) => s.alerts);
  const dismiss = useUi((s) => s.dismissAlert);
  if (alerts.length === 0) return null;
  return (
    <div className="alerts">
      {alerts.map((a) => (
        <div key={`${a.ts}-${a.title}`} className={`alert-banner ${a.level}`} role="alert">
          <strong>{a.title}</strong> <span>{a.message}</span> <span className="dim">{fmtTime(a.ts)}</span>
          <button aria-label={`Dismiss: ${a.title}`} onClick={() => dismiss(a)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
