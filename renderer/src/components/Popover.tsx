import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A button that opens a small panel below it (a menu, a list, a form): a press outside or
 * Escape closes it, and focus goes into it when it opens.
 */
export function Popover({ label, title, children, className, disabled }: { label: ReactNode; title: string; children: (close: () => void) => ReactNode; className?: string; disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    box.current?.querySelector<HTMLElement>('.menu input, .menu select, .menu button')?.focus();
    const onDown = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      setOpen(false);
    };
    window.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey, true);
    };
  }, [open]);
  return (
    <div className={`popover ${className ?? ''}`} ref={box}>
      <button aria-haspopup="true" aria-expanded={open} aria-label={title} title={title} onClick={() => setOpen((o) => !o)} disabled={disabled}>
        {label}
      </button>
      {open && (
        <div className="menu" role="group" aria-label={title}>
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}
