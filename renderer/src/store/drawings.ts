import { create } from 'zustand';
import type { Drawing, DrawingInput, DrawingKind } from '../../../engine/protocol';
import { useUi } from './ui';
import { client, errorText } from './wire';

/**
 * Drawings per symbol, as the engine keeps them, and the drawing tool in hand. A drawing
 * being moved is changed here at once and saved to the engine when the move ends.
 */
interface DrawingsStore {
  bySymbol: Record<string, Drawing[]>;
  /** The tool the next clicks on a chart draw with; undefined: select and move. */
  tool: DrawingKind | undefined;
  selected: string | undefined;
  /** Saves and deletes on their way to the engine (the list says "saving…" until they land). */
  saving: number;
  setTool(t: DrawingKind | undefined): void;
  select(id: string | undefined): void;
  /** Replaces one drawing in place (a move in progress); `save` writes it. */
  put(d: Drawing): void;
  setFor(symbol: string, list: Drawing[]): void;
}

export const useDrawings = create<DrawingsStore>((set) => ({
  bySymbol: {},
  tool: undefined,
  selected: undefined,
  saving: 0,
  setTool: (tool) => set({ tool, selected: undefined }),
  select: (selected) => set({ selected }),
  put: (d) => set((s) => ({ bySymbol: { ...s.bySymbol, [d.symbol]: (s.bySymbol[d.symbol] ?? []).map((x) => (x.id === d.id ? d : x)) } })),
  setFor: (symbol, list) => set((s) => ({ bySymbol: { ...s.bySymbol, [symbol]: list } })),
}));

const loading = new Set<string>();

/** Asks the engine for a symbol's drawings once (and again after a reconnect: `force`). */
export async function loadDrawings(symbol: string, force = false): Promise<void> {
  if (loading.has(symbol) || (!force && useDrawings.getState().bySymbol[symbol])) return;
  loading.add(symbol);
  try {
    useDrawings.getState().setFor(symbol, await client().call('drawings.list', { symbol }));
  } catch (e) {
    useUi.getState().notify('error', `Drawings of ${symbol} not loaded: ${errorText(e)}`);
  } finally {
    loading.delete(symbol);
  }
}

export async function reloadDrawings(): Promise<void> {
  await Promise.all(Object.keys(useDrawings.getState().bySymbol).map((s) => loadDrawings(s, true)));
}

const busy = (d: number) => useDrawings.setState((s) => ({ saving: s.saving + d }));

/** Creates or replaces a drawing in the engine; the engine's copy is the one kept. */
export async function saveDrawing(input: DrawingInput & Partial<Pick<Drawing, 'updatedAt'>>): Promise<Drawing | undefined> {
  busy(1);
  try {
    // What the wire takes: the engine stamps the time itself.
    const { id, symbol, kind, points, text, color } = input;
    const d = await client().call('drawings.save', { symbol, kind, points, ...(id !== undefined && { id }), ...(text !== undefined && { text }), ...(color !== undefined && { color }) });
    const s = useDrawings.getState();
    const list = s.bySymbol[d.symbol] ?? [];
    s.setFor(d.symbol, list.some((x) => x.id === d.id) ? list.map((x) => (x.id === d.id ? d : x)) : [...list, d]);
    return d;
  } catch (e) {
    useUi.getState().notify('error', `Drawing not saved: ${errorText(e)}`);
    // What is shown goes back to what the engine holds.
    void loadDrawings(input.symbol, true);
    return undefined;
  } finally {
    busy(-1);
  }
}

export async function deleteDrawing(d: Pick<Drawing, 'id' | 'symbol'>): Promise<void> {
  const s = useDrawings.getState();
  s.setFor(d.symbol, (s.bySymbol[d.symbol] ?? []).filter((x) => x.id !== d.id));
  if (s.selected === d.id) s.select(undefined);
  busy(1);
  try {
    await client().call('drawings.delete', { id: d.id });
  } catch (e) {
    useUi.getState().notify('error', `Drawing not deleted: ${errorText(e)}`);
    void loadDrawings(d.symbol, true);
  } finally {
    busy(-1);
  }
}
