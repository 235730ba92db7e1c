import { create } from 'zustand';

/** Panel sizes by key ("markets.side" -> 320). Pixels or fractions, as each panel decides. */
export type Layout = Record<string, number>;

const STORAGE_KEY = 'keel.layout.v1';

export interface LayoutPersistence {
  /** Unknown shape: saved by an older build or another process; sanitized on load. */
  load(): unknown;
  save(layout: Layout): void;
}

/** Browser persistence; in Electron, main's store is used as well (window.keel.layout). */
export function localStoragePersistence(storage: Pick<Storage, 'getItem' | 'setItem'>): LayoutPersistence {
  return {
    load() {
      try {
        const raw = storage.getItem(STORAGE_KEY);
        if (!raw) return undefined;
        const parsed = JSON.parse(raw) as unknown;
        return sanitizeLayout(parsed);
      } catch {
        return undefined; // a corrupt saved layout falls back to defaults, it never blocks the app
      }
    },
    save(layout) {
      storage.setItem(STORAGE_KEY, JSON.stringify(layout));
    },
  };
}

/** Keeps only finite numbers: saved state from an older build must not break panels. */
export function sanitizeLayout(v: unknown): Layout | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Layout = {};
  for (const [k, n] of Object.entries(v as Record<string, unknown>)) if (typeof n === 'number' && Number.isFinite(n)) out[k] = n;
  return out;
}

interface LayoutStore {
  sizes: Layout;
  setSize(key: string, size: number): void;
  replace(sizes: Layout): void;
}

let persisters: LayoutPersistence[] = [];
let saveTimer: ReturnType<typeof setTimeout> | undefined;

export const useLayout = create<LayoutStore>((set, get) => ({
  sizes: {},
  setSize: (key, size) => {
    set((s) => ({ sizes: { ...s.sizes, [key]: size } }));
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => persisters.forEach((p) => p.save(get().sizes)), 200);
  },
  replace: (sizes) => set({ sizes }),
}));

/** Loads the saved layout (the last persister that has one wins) and saves to all of them. */
export async function initLayout(ps: LayoutPersistence[]): Promise<void> {
  persisters = ps;
  let loaded: Layout | undefined;
  for (const p of ps) {
    try {
      loaded = sanitizeLayout(await p.load()) ?? loaded;
    } catch {
      // a store that cannot be read leaves the others' layout (or the defaults) in place
    }
  }
  if (loaded) useLayout.getState().replace(loaded);
}
