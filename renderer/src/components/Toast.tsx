import { useEffect } from 'react';
import { useUi } from '../store/ui';

export function Toast() {
  const toast = useUi((s) => s.toast);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => useUi.setState({ toast: undefined }), toast.kind === 'error' ? 8000 : 3000);
    return () => clearTimeout(t);
  }, [toast]);
  if (!toast) return null;
  return (
    <div className={`toast ${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
      {toast.text}
      <button aria-label="Dismiss" onClick={() => useUi.setState({ toast: undefined })}>
        ×
      </button>
    </div>
  );
}
