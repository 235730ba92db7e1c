/**
 * Runs strategies forward on the desk, each on its own ledger: started on a symbol and
 * timeframe with parameters and an allocation, warmed up from stored history so it is ready
 * at once, then fed each closed bar as it happens (a replay, a new import, a live candle),
 * through the same StrategyRuntime a backtest uses. A strategy that throws is stopped and
 * reported; it never takes the engine down. Running strategies resume after a restart.
 */
import type { Side } from '../model/order';
import { Emitter } from '../core/emitter';
import { KeelError } from '../core/errors';
import { timeframeMs } from '../core/timeframe';
import type { ClosedBar } from '../data/bar-feed';
import type { OrderEvent } from '../execution/types';
import { readBar, type BarSeries } from '../model/bar';
import { MANUAL_LEDGER } from '../model/order';
import type { AuditRecord } from '../risk/persistence';
import type { StrategyInstanceRow } from '../state/store';
import { MutableBarView, StrategyRuntime } from '../strategy/runtime';
import { resolveParams, type RawParams } from '../strategy/params';
import { DEFAULT_WARMUP_BARS, type StrategyModule } from '../../sdk';
import type { TradingDesk } from './desk';
import type { LedgerLimits } from './ledgers';
import type { StrategyInstanceView, StrategyState } from '../model/ledger';

export type InstanceState = StrategyState;
export type InstanceView = StrategyInstanceView;

export interface LoadedStrategy {
  module: StrategyModule;
  /** What identifies its code: a restart or a gap report can tell when it changed. */
  sourceHash: string;
  /** Set for a trader's own file; shipped strategies are found by id. */
  sourcePath?: string;
}

export interface StrategyLoader {
  load(strategy: string, path?: string): Promise<LoadedStrategy>;
}

/** Stored bars for warm-up and catch-up, oldest first; a bar is closed once ts + timeframe <= asOf. */
export interface BarHistory {
  barsBefore(symbol: string, timeframe: string, asOf: number, count: number): Promise<BarSeries>;
  barsAfter(symbol: string, timeframe: string, afterTs: number, asOf: number): Promise<BarSeries>;
}

export interface HostPersistence {
  /** This desk's account's strategies. */
  strategyInstances(): StrategyInstanceRow[];
  /** Every account's strategy ids: an id names a ledger, logs and signals, so it is unique in the database. */
  strategyInstanceIds?(): string[];
  saveStrategyInstance(row: StrategyInstanceRow): void;
  addStrategyEvent(instance: string, ts: number, kind: string, message: string): void;
  strategyEvents(instance: string, limit?: number): { ts: number; kind: string; message: string }[];
  addStrategySignal(instance: string, s: { ts: number; at: number; side: Side; type: string; text: string }): void;
  strategySignals(instance: string, limit?: number): { ts: number; at: number; side: Side; type: string; text: string }[];
  appendAudit(e: AuditRecord): void;
}

export interface StartSpec {
  strategy: string;
  /** A trader's .ts file; `strategy` is then its id. */
  path?: string;
  params: RawParams;
  symbol: string;
  timeframe: string;
  /** Cash moved from the manual ledger into the strategy's own. */
  allocation: number;
  limits?: LedgerLimits;
  /** Bars of warm-up; by default what the strategy declares. `keel paper` starts cold (0) to equal a backtest. */
  warmup?: number;
}

export type HostEvent = { kind: 'instance'; view: InstanceView } | { kind: 'log'; id: string; ts: number; level: 'info' | 'warn' | 'error'; message: string };

interface Instance {
  row: StrategyInstanceRow;
  /** Set while the warm-up reads stored bars: bars that close meanwhile wait here, then follow it. */
  pending: ClosedBar[] | undefined;
  module: StrategyModule;
  runtime: StrategyRuntime;
  bar: MutableBarView;
  tfMs: number;
  index: number;
  lastSignal?: { ts: number; text: string };
  dirty: boolean;
}

const FLUSH_MS = 1_000;

export interface HostOptions {
  desk: TradingDesk;
  loader: StrategyLoader;
  history?: BarHistory;
  persistence?: HostPersistence;
  /** The feed's "now" for a symbol: a replay's cursor while one plays it, else the clock. Warm-up reads up to it. */
  asOf?: (symbol: string, timeframe: string) => number;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  /** The live exchange account whose desk this is; absent on the paper desk. Shown on every instance. */
  account?: string;
}

export class StrategyHost {
  readonly events = new Emitter<HostEvent>();
  private readonly instances = new Map<string, Instance>();
  private readonly desk: TradingDesk;
  private readonly flushTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly opts: HostOptions) {
    this.desk = opts.desk;
    this.desk.setEntryGate((ledger) => {
      const i = this.instances.get(ledger);
      if (!i || i.row.state === 'running') return undefined;
      return `strategy ${i.row.id} is ${i.row.state}${i.row.stateReason ? ` (${i.row.stateReason})` : ''}: exits only`;
    });
    this.desk.orders.onEvent((e) => this.onOrderEvent(e));
    this.desk.events.on((e) => {
      if (e.kind === 'ledger_breach' && this.instances.get(e.ledger)?.row.state === 'running') this.pause(e.ledger, e.reason, 'risk');
    });
    if (opts.persistence) {
      this.flushTimer = setInterval(() => this.flush(), FLUSH_MS);
      this.flushTimer.unref?.();
    }
  }

  // ---------- lifecycle ----------

  async start(spec: StartSpec): Promise<InstanceView> {
    const loaded = await this.opts.loader.load(spec.strategy, spec.path);
    const m = loaded.module;
    const id = this.nextId(m.id);
    const desk = this.desk;
    desk.orders.instrument(spec.symbol); // NOT_FOUND names the symbol before anything is moved
    const manual = desk.ledgers.manual;
    if (!(spec.allocation > 0)) throw new KeelError('BAD_INPUT', `allocation must be a positive amount, got ${spec.allocation}`, { where: 'allocation' });
    if (spec.allocation > manual.cash + 1e-9) {
      throw new KeelError('BAD_INPUT', `allocation ${spec.allocation} is more than the manual ledger's free cash (${manual.cash.toFixed(2)})`, { where: 'allocation' });
    }
    const now = desk.clock.now();
    const row: StrategyInstanceRow = {
      id,
      strategy: m.id,
      sourcePath: loaded.sourcePath,
      sourceHash: loaded.sourceHash,
      params: {},
      symbol: spec.symbol,
      timeframe: spec.timeframe,
      ledger: id,
      allocation: spec.allocation,
      state: 'running',
      stateReason: undefined,
      warmup: 0,
      firstBarTs: undefined,
      lastBarTs: undefined,
      savedState: undefined,
      createdAt: now,
      updatedAt: now,
    };
    // Parameters are checked before any ledger exists: a bad one moves no money.
    row.params = resolveParams(m, spec.params);
    row.warmup = Math.max(0, Math.floor(spec.warmup ?? m.warmup?.(row.params as never) ?? DEFAULT_WARMUP_BARS));
    desk.openLedger(id, 'strategy', `${m.name} · ${spec.symbol} ${spec.timeframe}`, spec.limits ?? {});
    desk.transferCash(MANUAL_LEDGER, id, spec.allocation, 'ui', `allocation to ${id}`);
    const inst = this.create(row, m);
    await this.warm(inst);
    inst.runtime.start();
    this.go(inst);
    this.audit('strategy.start', { id, strategy: m.id, params: row.params, symbol: spec.symbol, timeframe: spec.timeframe, allocation: spec.allocation, ...(this.opts.account !== undefined && { live: this.opts.account }) });
    this.note(inst, 'info', `started on ${spec.symbol} ${spec.timeframe} with ${spec.allocation}; warmed on ${inst.index} bars`);
    this.save(inst);
    return this.view(inst);
  }

  /**
   * After an engine restart: every strategy that was running or paused is built again,
   * warmed on the stored history up to now (bars that closed while the engine was down warm
   * it; they are not traded late), given back its saved state, and resumed as it was.
   */
  async restore(): Promise<InstanceView[]> {
    const p = this.opts.persistence;
    if (!p) return [];
    const out: InstanceView[] = [];
    for (const row of p.strategyInstances()) {
      if (row.state !== 'running' && row.state !== 'paused') continue;
      let loaded: LoadedStrategy;
      try {
        loaded = await this.opts.loader.load(row.strategy, row.sourcePath);
      } catch (e) {
        row.state = 'failed';
        row.stateReason = `could not be loaded after a restart: ${e instanceof Error ? e.message : String(e)}`;
        p.saveStrategyInstance(row);
        this.opts.log.error(`strategy ${row.id}: ${row.stateReason}`);
        continue;
      }
      if (loaded.sourceHash !== row.sourceHash) {
        this.opts.log.warn(`strategy ${row.id}: its code changed since it started (hash ${row.sourceHash.slice(0, 12)} -> ${loaded.sourceHash.slice(0, 12)}); resuming with the new code`);
        row.sourceHash = loaded.sourceHash;
      }
      try {
        const inst = this.create(row, loaded.module);
        await this.warm(inst);
        inst.runtime.start();
        inst.runtime.load(row.savedState);
        this.go(inst);
        this.note(inst, 'info', `resumed after a restart (${row.state}); warmed on ${inst.index} bars`);
        this.save(inst);
        out.push(this.view(inst));
      } catch (e) {
        row.state = 'failed';
        row.stateReason = `could not resume: ${e instanceof Error ? e.message : String(e)}`;
        p.saveStrategyInstance(row);
        this.opts.log.error(`strategy ${row.id}: ${row.stateReason}`);
      }
    }
    return out;
  }

  /** No new entries; exits are still managed (the strategy keeps seeing bars and may reduce). */
  pause(id: string, reason = 'paused by the trader', actor = 'ui'): InstanceView {
    const inst = this.live(id);
    this.setState(inst, 'paused', reason, actor);
    return this.view(inst);
  }

  resume(id: string, actor = 'ui'): InstanceView {
    const inst = this.live(id);
    this.setState(inst, 'running', undefined, actor);
    return this.view(inst);
  }

  /** Cancels its working orders and, if asked, flattens its positions; it sees no more bars. */
  stop(id: string, opts: { flatten?: boolean; reason?: string; actor?: string } = {}): InstanceView {
    const inst = this.get(id);
    if (inst.row.state === 'stopped') return this.view(inst);
    const cancelled = this.desk.cancelAll({ ledger: id });
    if (opts.flatten) this.desk.flatten({ ledger: id }, opts.actor ?? 'ui');
    this.end(inst);
    this.setState(inst, 'stopped', opts.reason ?? `stopped by the trader${opts.flatten ? ', flattened' : ''}; ${cancelled} working orders cancelled`, opts.actor ?? 'ui');
    return this.view(inst);
  }

  /**
   * The trader takes the strategy's positions over by hand: it is stopped (working orders
   * cancelled), and each position moves to the manual ledger at the current mark. Audited.
   */
  takeOver(id: string, actor = 'ui'): InstanceView {
    const inst = this.get(id);
    this.stop(id, { reason: 'taken over by hand', actor });
    for (const p of this.desk.ledgers.get(id).book.openPositions()) {
      const t = this.desk.transferPosition(id, MANUAL_LEDGER, p.symbol, actor, `take-over of ${id}`);
      if (t) this.audit('strategy.takeover', { id, symbol: t.symbol, qty: t.qty, price: t.price }, actor);
    }
    this.note(inst, 'warn', 'positions taken over by hand: they are on the manual ledger now');
    return this.view(inst);
  }

  /** A stopped, flat strategy gives its cash back to the manual ledger, and its ledger closes. */
  release(id: string, actor = 'ui'): InstanceView {
    const inst = this.get(id);
    if (inst.row.state === 'running' || inst.row.state === 'paused') throw new KeelError('CONFLICT', `stop ${id} before releasing its capital`, { where: 'strategy' });
    const l = this.desk.ledgers.get(id);
    if (l.book.openPositions().length > 0) throw new KeelError('CONFLICT', `${id} still holds positions: flatten them or take them over first`, { where: 'strategy' });
    if (this.desk.orders.workingOrders().some((o) => o.ledger === id)) throw new KeelError('CONFLICT', `${id} still has working orders`, { where: 'strategy' });
    if (l.cash > 0) this.desk.transferCash(id, MANUAL_LEDGER, l.cash, actor, `release of ${id}`);
    this.desk.closeLedger(id);
    this.note(inst, 'info', 'capital released to the manual ledger');
    this.changed(inst);
    return this.view(inst);
  }

  // ---------- bars ----------

  /** A closed bar from any feed: each strategy on that symbol and timeframe sees it once, in order. */
  onClosedBar(e: ClosedBar): void {
    for (const inst of this.instances.values()) {
      const r = inst.row;
      if ((r.state !== 'running' && r.state !== 'paused') || r.symbol !== e.symbol || r.timeframe !== e.timeframe) continue;
      if (inst.pending) {
        inst.pending.push({ ...e, bar: { ...e.bar } });
        continue;
      }
      if (r.lastBarTs !== undefined && e.bar.ts <= r.lastBarTs) continue; // seen already (a replay started back in time)
      const gap = e.gapBefore === true || (r.lastBarTs !== undefined && e.bar.ts > r.lastBarTs + inst.tfMs);
      if (gap) this.note(inst, 'warn', `bars missing before ${new Date(e.bar.ts).toISOString()} (last seen ${r.lastBarTs === undefined ? 'none' : new Date(r.lastBarTs).toISOString()}): the strategy was not fed them`);
      this.feed(inst, e, gap);
    }
  }

  private feed(inst: Instance, e: ClosedBar, gap: boolean): void {
    const v = inst.bar;
    const b = e.bar;
    v.index = inst.index++;
    v.ts = b.ts;
    v.open = b.open;
    v.high = b.high;
    v.low = b.low;
    v.close = b.close;
    v.volume = b.volume;
    v.gap = gap;
    try {
      inst.runtime.onBar(v);
    } catch (err) {
      this.fail(inst, err);
      return;
    }
    inst.row.lastBarTs = b.ts;
    inst.row.firstBarTs ??= b.ts;
    inst.row.savedState = inst.runtime.save();
    inst.dirty = true;
  }

  /** Bars stored after each strategy's last one (an import that brought newer bars) are fed in order. */
  async catchUp(symbol: string): Promise<void> {
    const h = this.opts.history;
    if (!h) return;
    for (const inst of [...this.instances.values()]) {
      const r = inst.row;
      if (r.symbol !== symbol || (r.state !== 'running' && r.state !== 'paused') || r.lastBarTs === undefined) continue;
      const s = await h.barsAfter(r.symbol, r.timeframe, r.lastBarTs, this.asOf(r.symbol, r.timeframe));
      for (let i = 0; i < s.length; i++) {
        const bar = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
        readBar(s, i, bar);
        this.onClosedBar({ symbol: r.symbol, timeframe: r.timeframe, source: 'import', bar });
      }
    }
  }

  // ---------- reading ----------

  list(): InstanceView[] {
    return [...this.instances.values()].map((i) => this.view(i));
  }

  /** Stopped and failed strategies of earlier runs too (their ledgers and gap reports stay). */
  all(): InstanceView[] {
    const live = new Set(this.instances.keys());
    const stored = (this.opts.persistence?.strategyInstances() ?? []).filter((r) => !live.has(r.id));
    return [...this.list(), ...stored.filter((r) => this.desk.ledgers.has(r.ledger)).map((r) => this.viewOf(r, r.strategy, undefined))];
  }

  /** Its newest log lines and signals, in time order. */
  logs(id: string, limit = 200): { ts: number; kind: string; message: string }[] {
    const p = this.opts.persistence;
    if (!p) return [];
    // Shown when the engine saw them, like the log lines (a replayed bar's signal is today's news).
    const signals = p.strategySignals(id, limit).map((s) => ({ ts: s.at, kind: 'signal', message: s.text }));
    return [...p.strategyEvents(id, limit), ...signals].sort((a, b) => a.ts - b.ts).slice(-limit);
  }

  /** Every order the strategy placed, by its bar: what a gap report compares with a backtest's. */
  signals(id: string): { ts: number; side: Side; type: string }[] {
    return this.opts.persistence ? signalsOf(this.opts.persistence, id) : [];
  }

  row(id: string): StrategyInstanceRow | undefined {
    return this.instances.get(id)?.row ?? this.opts.persistence?.strategyInstances().find((r) => r.id === id);
  }

  /** Writes what changed (last bar, saved state) now: the timer does it every second, close() at the end. */
  flush(): void {
    for (const i of this.instances.values()) if (i.dirty) this.save(i);
  }

  close(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flush();
    for (const i of this.instances.values()) if (i.row.state === 'running' || i.row.state === 'paused') i.runtime.stop();
  }

  // ---------- inside ----------

  private create(row: StrategyInstanceRow, m: StrategyModule): Instance {
    const desk = this.desk;
    let inst: Instance | undefined;
    const tfMs = timeframeMs(row.timeframe);
    // A strategy's now() is its last bar's close (as in a backtest): a replay's market time, live the wall clock's.
    const barClock = { now: () => (inst !== undefined && inst.bar.index >= 0 ? inst.bar.ts + tfMs : desk.clock.now()) };
    const runtime = new StrategyRuntime(m, row.params, {
      symbol: row.symbol,
      timeframe: row.timeframe,
      orders: desk.orders,
      clock: barClock,
      emulator: desk.emulator,
      instanceId: row.id,
      ledger: desk.ledgers.get(row.ledger),
      log: (line) => inst && this.note(inst, 'info', line),
    });
    inst = { row, module: m, runtime, bar: new MutableBarView(row.symbol), tfMs, index: 0, dirty: false, pending: [] };
    this.instances.set(row.id, inst);
    return inst;
  }

  /**
   * Feeds the last `warmup` stored bars up to the feed's now to the indicators only. Bars
   * that close while they are read are held and fed after them, so none is lost or seen twice.
   */
  private async warm(inst: Instance): Promise<void> {
    try {
      await this.readWarmup(inst);
    } catch (e) {
      inst.pending = undefined;
      this.end(inst);
      this.setState(inst, 'failed', `warm-up failed: ${e instanceof Error ? e.message : String(e)}`, 'engine');
      throw e;
    }
  }

  /** After onStart: the bars that closed during the warm-up, in order. */
  private go(inst: Instance): void {
    const held = inst.pending ?? [];
    inst.pending = undefined;
    for (const e of held) this.onClosedBar(e);
  }

  private async readWarmup(inst: Instance): Promise<void> {
    const r = inst.row;
    const h = this.opts.history;
    if (r.warmup === 0 || !h) return;
    const s = await h.barsBefore(r.symbol, r.timeframe, this.asOf(r.symbol, r.timeframe), r.warmup);
    const v = inst.bar;
    for (let i = 0; i < s.length; i++) {
      v.index = inst.index++;
      readBar(s, i, v);
      inst.runtime.warm(v);
    }
    if (s.length > 0) r.lastBarTs = s.ts[s.length - 1]!;
    if (s.length < r.warmup) this.note(inst, 'warn', `warm-up wanted ${r.warmup} bars; only ${s.length} are stored before it`);
    else if (!inst.runtime.indicatorsReady) this.note(inst, 'warn', `after ${s.length} warm-up bars some indicators have no value yet`);
  }

  private asOf(symbol: string, timeframe: string): number {
    return this.opts.asOf?.(symbol, timeframe) ?? this.desk.clock.now();
  }

  private fail(inst: Instance, err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    const where = err instanceof KeelError && err.where ? ` (${err.where})` : '';
    const cancelled = this.desk.cancelAll({ ledger: inst.row.id });
    this.end(inst);
    this.setState(inst, 'failed', `${msg}${where}`, 'engine');
    this.desk.alert('error', `Strategy ${inst.row.id} failed and was stopped`, `${msg}${where}. ${cancelled} working orders cancelled; its positions are left as they are.`);
  }

  private end(inst: Instance): void {
    try {
      inst.runtime.stop();
    } catch (e) {
      this.note(inst, 'error', `onStop threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private setState(inst: Instance, state: InstanceState, reason: string | undefined, actor: string): void {
    const before = inst.row.state;
    inst.row.state = state;
    inst.row.stateReason = reason;
    this.note(inst, state === 'failed' ? 'error' : 'info', `${before} -> ${state}${reason ? `: ${reason}` : ''} (${actor})`);
    this.audit(`strategy.${state}`, { id: inst.row.id, from: before, reason }, actor);
    this.save(inst);
  }

  private onOrderEvent(e: OrderEvent): void {
    const ledger = e.kind === 'denied' ? e.request.ledger : e.order.ledger;
    const inst = ledger === undefined ? undefined : this.instances.get(ledger);
    if (!inst) return;
    if (e.kind === 'submitted' && e.order.source === 'strategy') {
      const o = e.order;
      const size = o.qty > 0 ? `${o.qty}` : `${o.quoteQty} (quote)`;
      // A signal is stamped with the strategy's own now (its bar's close), so a gap report can line it up with a backtest's.
      const ts = inst.bar.index >= 0 ? inst.bar.ts + inst.tfMs : e.ts;
      inst.lastSignal = { ts, text: `${o.side} ${size} ${o.type}${o.price !== undefined ? ` @ ${o.price}` : ''}${o.stopPrice !== undefined ? ` stop ${o.stopPrice}` : ''}${o.tag ? ` [${o.tag}]` : ''}` };
      this.opts.persistence?.addStrategySignal(inst.row.id, { ts, at: e.ts, side: o.side, type: o.type, text: inst.lastSignal.text });
      this.changed(inst);
    } else if (e.kind === 'denied') {
      this.note(inst, 'warn', `order refused: ${e.check}: ${e.reason}`);
    } else if (e.kind === 'filled' || e.kind === 'cancelled' || e.kind === 'rejected') {
      this.changed(inst);
    }
  }

  private note(inst: Instance, level: 'info' | 'warn' | 'error', message: string): void {
    const ts = this.desk.clock.now();
    this.opts.persistence?.addStrategyEvent(inst.row.id, ts, level, message);
    this.opts.log[level](`strategy ${inst.row.id}: ${message}`);
    this.events.emit({ kind: 'log', id: inst.row.id, ts, level, message });
  }

  private save(inst: Instance): void {
    inst.row.updatedAt = this.desk.clock.now();
    inst.dirty = false;
    this.opts.persistence?.saveStrategyInstance(inst.row);
    this.changed(inst);
  }

  private changed(inst: Instance): void {
    if (this.events.size > 0) this.events.emit({ kind: 'instance', view: this.view(inst) });
  }

  private audit(action: string, after: unknown, actor = 'ui'): void {
    this.opts.persistence?.appendAudit({ ts: this.desk.clock.now(), actor, action, before: undefined, after });
  }

  private get(id: string): Instance {
    const i = this.instances.get(id);
    if (!i) throw new KeelError('NOT_FOUND', `no running strategy "${id}" (running: ${[...this.instances.keys()].join(', ') || 'none'})`, { where: 'strategy' });
    return i;
  }

  private live(id: string): Instance {
    const i = this.get(id);
    if (i.row.state !== 'running' && i.row.state !== 'paused') throw new KeelError('CONFLICT', `strategy ${id} is ${i.row.state}`, { where: 'strategy' });
    return i;
  }

  private nextId(moduleId: string): string {
    const p = this.opts.persistence;
    const stored = p ? (p.strategyInstanceIds?.() ?? p.strategyInstances().map((r) => r.id)) : [];
    const taken = new Set([...this.instances.keys(), ...this.desk.ledgers.all().map((l) => l.id), ...stored]);
    for (let n = 1; ; n++) if (!taken.has(`${moduleId}-${n}`)) return `${moduleId}-${n}`;
  }

  private view(inst: Instance): InstanceView {
    return this.viewOf(inst.row, inst.module.name, inst.lastSignal);
  }

  private viewOf(row: StrategyInstanceRow, name: string, lastSignal: InstanceView['lastSignal']): InstanceView {
    const v: InstanceView = {
      id: row.id,
      strategy: row.strategy,
      name,
      params: row.params,
      symbol: row.symbol,
      timeframe: row.timeframe,
      state: row.state,
      allocation: row.allocation,
      warmup: row.warmup,
      workingOrders: this.desk.orders.workingOrders().filter((o) => o.ledger === row.id).length,
      ledger: this.desk.ledgers.get(row.ledger).snapshot(),
      createdAt: row.createdAt,
    };
    if (row.stateReason !== undefined) v.stateReason = row.stateReason;
    if (row.firstBarTs !== undefined) v.firstBarTs = row.firstBarTs;
    if (row.lastBarTs !== undefined) v.lastBarTs = row.lastBarTs;
    if (lastSignal) v.lastSignal = lastSignal;
    if (row.sourcePath !== undefined) v.sourcePath = row.sourcePath;
    if (this.opts.account !== undefined) v.account = this.opts.account;
    return v;
  }
}

/** Every order a strategy placed, by its bar's close. */
export function signalsOf(journal: Pick<HostPersistence, 'strategySignals'>, id: string): { ts: number; side: Side; type: string }[] {
  return journal.strategySignals(id).map((s) => ({ ts: s.ts, side: s.side, type: s.type }));
}
