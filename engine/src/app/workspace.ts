import { randomBytes } from 'node:crypto';
import { Emitter, type Disposable } from '../core/emitter';
import { KeelError } from '../core/errors';
import { drawingProblem, type Drawing } from '../model/drawing';
import { DEFAULT_TRADING_PREFS, MAX_CHARTS, WORKSPACE_LIMITS, type ChartLayout, type TradingPrefs, type Workspace } from '../model/workspace';
import type { WorkspaceStore } from '../state/workspace-store';

/** What `workspace.set` may change; layouts by name go through saveLayout/deleteLayout. */
export type WorkspacePatch = Partial<Pick<Workspace, 'watchlist' | 'timeframes' | 'layout' | 'trading'>>;

export type DrawingInput = Omit<Drawing, 'id' | 'updatedAt'> & { id?: string };

/** A layout as the engine keeps it: always MAX_CHARTS panes, the active one among those shown. */
function normalLayout(l: ChartLayout): ChartLayout {
  const charts = l.charts.slice(0, MAX_CHARTS);
  while (charts.length < MAX_CHARTS) charts.push({ indicators: [] });
  return { ...l, charts, active: Math.min(Math.max(0, l.active), l.count - 1) };
}

function mergeTrading(saved: unknown): TradingPrefs {
  const s = (saved ?? {}) as Partial<TradingPrefs>;
  return {
    ...DEFAULT_TRADING_PREFS,
    ...s,
    hotkeys: { ...DEFAULT_TRADING_PREFS.hotkeys, ...s.hotkeys, keys: { ...DEFAULT_TRADING_PREFS.hotkeys.keys, ...s.hotkeys?.keys } },
  };
}

/**
 * The trader's workspace, kept by the engine: drawings per symbol, the chart layout and named
 * layouts, the watchlist, the timeframe last used per symbol and the chart-trading
 * preferences. The wire's schemas check shapes; this checks what they cannot (a drawing's
 * points for its kind, how many of a thing there may be) and says where.
 */
export class WorkspaceService {
  private readonly drawingChanges = new Emitter<{ id: string; symbol: string }>();

  constructor(
    private readonly store: WorkspaceStore,
    private readonly now: () => number = Date.now,
    /** Releases what the store holds (its database connection). */
    private readonly release: () => void = () => {},
  ) {}

  close(): void {
    this.release();
  }

  get(): Workspace {
    const w: Workspace = {
      watchlist: (this.store.setting('watchlist') as string[] | undefined) ?? [],
      timeframes: (this.store.setting('timeframes') as Record<string, string> | undefined) ?? {},
      layouts: (this.store.setting('layouts') as Record<string, ChartLayout> | undefined) ?? {},
      trading: mergeTrading(this.store.setting('trading')),
    };
    const layout = this.store.setting('layout') as ChartLayout | undefined;
    if (layout) w.layout = layout;
    return w;
  }

  set(patch: WorkspacePatch): Workspace {
    const ts = this.now();
    this.store.transaction(() => {
      if (patch.watchlist) this.store.setSetting('watchlist', [...new Set(patch.watchlist)], ts);
      if (patch.timeframes) this.store.setSetting('timeframes', { ...this.get().timeframes, ...patch.timeframes }, ts);
      if (patch.layout) this.store.setSetting('layout', normalLayout(patch.layout), ts);
      if (patch.trading) this.store.setSetting('trading', mergeTrading(patch.trading), ts);
    });
    return this.get();
  }

  saveLayout(name: string, layout: ChartLayout): Workspace {
    const layouts = { ...this.get().layouts };
    if (!(name in layouts) && Object.keys(layouts).length >= WORKSPACE_LIMITS.layouts) {
      throw new KeelError('BAD_INPUT', `at most ${WORKSPACE_LIMITS.layouts} layouts can be saved; delete one first`, { where: 'name' });
    }
    layouts[name] = normalLayout(layout);
    this.store.setSetting('layouts', layouts, this.now());
    return this.get();
  }

  deleteLayout(name: string): Workspace {
    const layouts = { ...this.get().layouts };
    if (!(name in layouts)) throw new KeelError('NOT_FOUND', `no layout named "${name}"`, { where: 'name' });
    delete layouts[name];
    this.store.setSetting('layouts', layouts, this.now());
    return this.get();
  }

  drawings(symbol: string): Drawing[] {
    return this.store.drawings(symbol);
  }

  drawing(id: string): Drawing | undefined {
    return this.store.drawing(id);
  }

  /** Creates (no id) or replaces (an id of a drawing that exists) a drawing. */
  saveDrawing(input: DrawingInput): Drawing {
    const problem = drawingProblem(input);
    if (problem) throw new KeelError('BAD_INPUT', problem, { where: 'points' });
    let id = input.id;
    if (id !== undefined) {
      const old = this.store.drawing(id);
      if (!old) throw new KeelError('NOT_FOUND', `no drawing ${id}`, { where: 'id' });
      if (old.symbol !== input.symbol) throw new KeelError('BAD_INPUT', `drawing ${id} belongs to ${old.symbol}, not ${input.symbol}`, { where: 'symbol' });
    } else {
      if (this.store.drawingCount(input.symbol) >= WORKSPACE_LIMITS.drawingsPerSymbol) {
        throw new KeelError('BAD_INPUT', `${input.symbol} already has ${WORKSPACE_LIMITS.drawingsPerSymbol} drawings, the most a symbol keeps; delete some first`, { where: 'symbol' });
      }
      id = `d-${this.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    }
    const d: Drawing = { ...input, id, points: input.points.map((p) => ({ ts: p.ts, price: p.price })), updatedAt: this.now() };
    if (d.kind !== 'text') delete d.text;
    this.store.saveDrawing(d);
    this.drawingChanges.emit({ id, symbol: d.symbol });
    return d;
  }

  deleteDrawing(id: string): boolean {
    const old = this.store.drawing(id);
    const deleted = this.store.deleteDrawing(id);
    if (deleted && old) this.drawingChanges.emit({ id, symbol: old.symbol });
    return deleted;
  }

  /** Told when a drawing is saved or deleted (alerts on a drawn line re-read it). */
  onDrawingChange(listener: (e: { id: string; symbol: string }) => void): Disposable {
    return this.drawingChanges.on(listener);
  }
}
