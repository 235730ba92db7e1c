import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export interface WindowSettings {
  bounds: Bounds | undefined;
  maximized: boolean;
  /** The renderer's panel layout, opaque to main beyond "numbers by key". */
  layout: Record<string, number>;
  /** Which update feed to follow: stable releases, or betas too (Help › Beta updates). */
  updateChannel: 'stable' | 'beta';
}

export const DEFAULT_SETTINGS: WindowSettings = { bounds: undefined, maximized: false, layout: {}, updateChannel: 'stable' };

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Whatever is on disk, as settings we can trust; anything odd falls back to defaults field by field. */
export function sanitizeSettings(raw: unknown): WindowSettings {
  if (!raw || typeof raw !== 'object') return { ...DEFAULT_SETTINGS, layout: {} };
  const r = raw as Record<string, unknown>;
  let bounds: Bounds | undefined;
  const b = r.bounds as Record<string, unknown> | undefined;
  if (b && isNum(b.width) && isNum(b.height) && b.width >= 200 && b.height >= 150 && b.width <= 20_000 && b.height <= 20_000) {
    bounds = { width: Math.round(b.width), height: Math.round(b.height) };
    if (isNum(b.x) && isNum(b.y)) {
      bounds.x = Math.round(b.x);
      bounds.y = Math.round(b.y);
    }
  }
  const layout: Record<string, number> = {};
  if (r.layout && typeof r.layout === 'object' && !Array.isArray(r.layout)) {
    for (const [k, v] of Object.entries(r.layout as Record<string, unknown>).slice(0, 500)) if (isNum(v) && k.length <= 200) layout[k] = v;
  }
  return { bounds, maximized: r.maximized === true, layout, updateChannel: r.updateChannel === 'beta' ? 'beta' : 'stable' };
}

export interface WorkArea {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Saved bounds as they may be restored: a window whose title bar would land on no
 * display (a monitor was unplugged) keeps its size but loses its position, so it opens
 * centred on the primary display instead of off-screen.
 */
export function fitBounds(bounds: Bounds | undefined, displays: readonly WorkArea[]): Bounds | undefined {
  if (!bounds) return undefined;
  const largest = displays.reduce<WorkArea | undefined>((a, d) => (!a || d.width * d.height > a.width * a.height ? d : a), undefined);
  const width = largest ? Math.min(bounds.width, largest.width) : bounds.width;
  const height = largest ? Math.min(bounds.height, largest.height) : bounds.height;
  if (bounds.x === undefined || bounds.y === undefined) return { width, height };
  const titleBar = { x: bounds.x + 40, y: bounds.y + 10 };
  const visible = displays.some((d) => titleBar.x >= d.x && titleBar.x < d.x + d.width && titleBar.y >= d.y && titleBar.y < d.y + d.height);
  return visible ? { x: bounds.x, y: bounds.y, width, height } : { width, height };
}

/**
 * settings.json in userData. Writes go to a temporary file renamed over the old one, so
 * a crash mid-write leaves the previous settings, never half a file.
 */
export class SettingsFile {
  private current: WindowSettings;

  constructor(private readonly path: string) {
    this.current = SettingsFile.read(path);
  }

  static read(path: string): WindowSettings {
    try {
      return sanitizeSettings(JSON.parse(readFileSync(path, 'utf8')));
    } catch {
      return sanitizeSettings(undefined);
    }
  }

  get(): WindowSettings {
    return structuredClone(this.current);
  }

  update(patch: Partial<WindowSettings>): WindowSettings {
    this.current = sanitizeSettings({ ...this.current, ...patch });
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.current, null, 2));
    renameSync(tmp, this.path);
    return this.get();
  }
}
