import { useCallback, useRef, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { useLayout } from '../store/layout';

interface SplitProps {
  /** Layout key the size is saved under. */
  id: string;
  direction: 'row' | 'column';
  /** Size in px of the pane named by `sized`. */
  initial: number;
  min?: number;
  max?: number;
  /** Which side keeps the fixed size; the other takes the rest. */
  sized?: 'first' | 'second';
  label: string;
  children: [ReactNode, ReactNode];
}

/**
 * Two panes and a draggable divider. The divider is a focusable separator: arrow keys move
 * it too, so a keyboard user can resize. The size is saved in the layout store.
 */
export function Split({ id, direction, initial, min = 120, max = 2000, sized = 'second', label, children }: SplitProps) {
  const size = useLayout((s) => s.sizes[id]) ?? initial;
  const setSize = useLayout((s) => s.setSize);
  const root = useRef<HTMLDivElement>(null);
  const clamp = useCallback((v: number) => Math.round(Math.max(min, Math.min(max, v))), [min, max]);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    const el = root.current;
    if (!el) return;
    e.preventDefault();
    (e.target as HTMLElement).setPointerCapture(e.pointerId);
    const rect = el.getBoundingClientRect();
    const move = (ev: globalThis.PointerEvent) => {
      const pos = direction === 'row' ? ev.clientX - rect.left : ev.clientY - rect.top;
      const total = direction === 'row' ? rect.width : rect.height;
      setSize(id, clamp(sized === 'first' ? pos : total - pos));
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const grow = direction === 'row' ? (e.key === 'ArrowLeft' ? 1 : e.key === 'ArrowRight' ? -1 : 0) : e.key === 'ArrowUp' ? 1 : e.key === 'ArrowDown' ? -1 : 0;
    if (!grow) return;
    e.preventDefault();
    const step = e.shiftKey ? 50 : 10;
    setSize(id, clamp(size + (sized === 'second' ? grow : -grow) * step));
  };

  const fixed = { flex: `0 0 ${size}px` };
  return (
    <div ref={root} className={`split split-${direction}`}>
      <div className="split-pane" style={sized === 'first' ? fixed : undefined}>
        {children[0]}
      </div>
      <div
        className="split-handle"
        role="separator"
        tabIndex={0}
        aria-label={label}
        aria-orientation={direction === 'row' ? 'vertical' : 'horizontal'}
        aria-valuenow={size}
        aria-valuemin={min}
        aria-valuemax={max}
        onPointerDown={onPointerDown}
        onKeyDown={onKeyDown}
      />
      <div className="split-pane" style={sized === 'second' ? fixed : undefined}>
        {children[1]}
      </div>
    </div>
  );
}
