import { useEffect, useRef, useState, type RefObject } from 'react';
import { DRAWING_LABELS, DRAWING_POINTS } from '../../../engine/protocol/definitions';
import type { Drawing, DrawingPoint } from '../../../engine/protocol';
import { roundPrice } from '../lib/format';
import { deleteDrawing, saveDrawing, useDrawings } from '../store/drawings';
import type { ChartController } from './ChartController';
import { hitShape, moved, shapeOf, type Projection } from './drawingGeometry';
import { DrawingsPrimitive } from './drawingsPrimitive';

const NONE: Drawing[] = [];
/** A press that moves less than this (px) is a click: a two-point drawing then waits for the second click. */
const CLICK_PX = 4;

const isTyping = (t: EventTarget | null): boolean => {
  const el = t as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
};

/**
 * Drawing on a chart and moving what was drawn. With a tool in hand, a press puts the first
 * point and a drag (or a second click) the second; a horizontal line and a note take one
 * click. Without a tool, a press on a drawing selects it and a drag moves it (by a handle: that
 * point only). A selected drawing moves with the arrow keys (a bar or a pixel's worth of
 * price; Shift: ten) and goes with Delete. Everything is kept by the engine per symbol.
 */
export function ChartDrawings({ ctrl, host, symbol, active }: { ctrl: ChartController; host: RefObject<HTMLDivElement | null>; symbol: string; active: boolean }) {
  const drawings = useDrawings((s) => s.bySymbol[symbol] ?? NONE);
  const tool = useDrawings((s) => s.tool);
  const selected = useDrawings((s) => s.selected);
  const [draft, setDraft] = useState<Pick<Drawing, 'kind' | 'points'> | undefined>();
  const [note, setNote] = useState<{ at: DrawingPoint; x: number; y: number; text: string } | undefined>();
  const primitive = useRef<DrawingsPrimitive | undefined>(undefined);

  const projection = (): Projection => ({ x: (ts) => ctrl.timeToX(ts), y: (p) => ctrl.priceToY(p), width: ctrl.pricePane().width });

  useEffect(() => {
    const p = new DrawingsPrimitive(() => ({ x: (ts) => ctrl.timeToX(ts), y: (pr) => ctrl.priceToY(pr), width: ctrl.pricePane().width }));
    primitive.current = p;
    const off = ctrl.addPrimitive(p);
    return () => {
      off();
      primitive.current = undefined;
    };
  }, [ctrl]);

  useEffect(() => {
    const shown = draft ? [...drawings, { id: 'draft', ...draft }] : drawings;
    primitive.current?.set(shown, selected);
  }, [drawings, selected, draft]);

  // While a tool is in hand the mouse draws: the chart does not pan under it.
  useEffect(() => {
    if (!tool) return;
    ctrl.setPanning(false);
    return () => ctrl.setPanning(true);
  }, [ctrl, tool]);

  // Pointer handling, in the capture phase so a press on a drawing never pans the chart.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const pointOf = (e: PointerEvent): { x: number; y: number; at: DrawingPoint } | undefined => {
      const r = el.getBoundingClientRect();
      const x = e.clientX - r.left;
      const y = e.clientY - r.top;
      if (y > ctrl.pricePane().height || x > ctrl.pricePane().width) return undefined;
      const ts = ctrl.xToTime(x);
      const price = ctrl.yToPrice(y);
      if (ts === undefined || price === null || !(price > 0)) return undefined;
      return { x, y, at: { ts: Math.round(ts), price: roundPrice(price) } };
    };
    let gesture:
      | { kind: 'draw'; start: { x: number; y: number }; points: DrawingPoint[]; dragging: boolean; kindOf: Drawing['kind'] }
      | { kind: 'move'; drawing: Drawing; grab: { point: number } | 'body'; from: DrawingPoint; current: Drawing }
      | undefined;
    let drafting: { points: DrawingPoint[]; kindOf: Drawing['kind'] } | undefined;

    const finish = async (kindOf: Drawing['kind'], points: DrawingPoint[]) => {
      setDraft(undefined);
      drafting = undefined;
      useDrawings.getState().setTool(undefined);
      const d = await saveDrawing({ symbol, kind: kindOf, points });
      if (d) useDrawings.getState().select(d.id);
    };

    const onDown = (e: PointerEvent) => {
      if (e.button !== 0) return;
      const q = pointOf(e);
      if (!q) return;
      const t = useDrawings.getState().tool;
      if (t) {
        e.stopPropagation();
        e.preventDefault();
        if (t === 'text') {
          setNote({ at: q.at, x: q.x, y: q.y, text: '' });
          useDrawings.getState().setTool(undefined);
          return;
        }
        if (DRAWING_POINTS[t] === 1) return void finish(t, [q.at]);
        if (drafting?.kindOf === t) return void finish(t, [drafting.points[0]!, q.at]);
        gesture = { kind: 'draw', start: { x: q.x, y: q.y }, points: [q.at, q.at], dragging: true, kindOf: t };
        setDraft({ kind: t, points: [q.at, q.at] });
        return;
      }
      const list = useDrawings.getState().bySymbol[symbol] ?? [];
      const proj = projection();
      for (let i = list.length - 1; i >= 0; i--) {
        const d = list[i]!;
        const s = shapeOf(d, proj);
        const grab = s && hitShape(s, { x: q.x, y: q.y }, d.text);
        if (!grab) continue;
        e.stopPropagation();
        e.preventDefault();
        ctrl.setPanning(false);
        useDrawings.getState().select(d.id);
        gesture = { kind: 'move', drawing: d, grab, from: q.at, current: d };
        return;
      }
      if (useDrawings.getState().selected) useDrawings.getState().select(undefined);
    };

    const onMove = (e: PointerEvent) => {
      // A drawing waiting for its second click is dropped once its tool is put down (Escape).
      if (drafting && !useDrawings.getState().tool) drafting = undefined;
      const q = pointOf(e);
      if (!q) return;
      if (gesture?.kind === 'draw') {
        gesture.points = [gesture.points[0]!, q.at];
        setDraft({ kind: gesture.kindOf, points: gesture.points });
      } else if (drafting) {
        setDraft({ kind: drafting.kindOf, points: [drafting.points[0]!, q.at] });
      } else if (gesture?.kind === 'move') {
        const g = gesture;
        g.current = g.grab === 'body' ? moved(g.drawing, { dt: q.at.ts - g.from.ts, dp: q.at.price - g.from.price }) : moved(g.drawing, { point: g.grab.point, to: q.at });
        useDrawings.getState().put(g.current);
      }
    };

    const onUp = (e: PointerEvent) => {
      const g = gesture;
      gesture = undefined;
      if (!g) return;
      if (g.kind === 'draw') {
        const q = pointOf(e);
        const far = q && Math.hypot(q.x - g.start.x, q.y - g.start.y) > CLICK_PX;
        if (far) void finish(g.kindOf, [g.points[0]!, q.at]);
        else drafting = { points: [g.points[0]!], kindOf: g.kindOf }; // a click: the second click ends it
        return;
      }
      ctrl.setPanning(!useDrawings.getState().tool);
      if (g.current !== g.drawing) void saveDrawing(g.current);
    };

    el.addEventListener('pointerdown', onDown, true);
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
    return () => {
      el.removeEventListener('pointerdown', onDown, true);
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
    };
    // The handlers read the stores when they run; they are set up once per chart and symbol.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ctrl, host, symbol]);

  // The keyboard moves and deletes the selected drawing of the active chart; each step is saved (the engine keeps the last).
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      const s = useDrawings.getState();
      if (e.key === 'Escape' && (s.tool || draftRef.current)) {
        s.setTool(undefined);
        setDraft(undefined);
        return;
      }
      const d = (s.bySymbol[symbol] ?? []).find((x) => x.id === s.selected);
      if (!d) return;
      if (e.key === 'Delete' || e.key === 'Backspace') {
        e.preventDefault();
        void deleteDrawing(d);
        return;
      }
      if (e.key === 'Escape') return s.select(undefined);
      const steps = e.shiftKey ? 10 : 1;
      let dt = 0;
      let dp = 0;
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') dt = (e.key === 'ArrowLeft' ? -1 : 1) * steps * (ctrl.barMs() ?? 60_000);
      else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
        const y = ctrl.priceToY(d.points[0]!.price);
        const to = y === null ? null : ctrl.yToPrice(y + (e.key === 'ArrowUp' ? -1 : 1) * steps);
        if (to === null) return;
        dp = to - d.points[0]!.price;
      } else return;
      e.preventDefault();
      const next = moved(d, { dt, dp });
      s.put(next);
      void saveDrawing(next);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, ctrl, symbol]);
  const draftRef = useRef(draft);
  draftRef.current = draft;

  if (!note) return null;
  return (
    <form
      className="note-form"
      style={{ left: note.x, top: note.y }}
      aria-label="Text note"
      onSubmit={(e) => {
        e.preventDefault();
        const text = note.text.trim();
        setNote(undefined);
        if (text) void saveDrawing({ symbol, kind: 'text', points: [note.at], text }).then((d) => d && useDrawings.getState().select(d.id));
      }}
    >
      <input autoFocus aria-label="Note text" value={note.text} maxLength={500} placeholder={`${DRAWING_LABELS.text}…`} onChange={(e) => setNote({ ...note, text: e.target.value })} onKeyDown={(e) => e.key === 'Escape' && setNote(undefined)} />
      <button type="submit">Add</button>
    </form>
  );
}
