import { randomBytes } from 'node:crypto';
import { KeelError } from '../core/errors';
import { crosses, DENIAL_BURST_DEFAULT, describeCondition, indicatorMet, type AlertCondition, type AlertLogEntry, type AlertMode, type AlertRule, type RiskEventKind, type StrategyEventKind } from '../model/alert';
import { DRAWING_LABELS, LINE_DRAWINGS, lineValueAt, type Drawing } from '../model/drawing';
import { TRADING_STATES } from '../model/risk-state';
import type { Alert, Publish, TopicName, Topics } from '../../protocol/index';
import type { AlertStore } from '../state/alert-store';
import type { Logger } from './logs';
import { barPath } from './replay';

export type IndicatorCondition = Extract<AlertCondition, { kind: 'indicator' }>;

export interface AlertInput {
  condition: AlertCondition;
  mode: AlertMode;
  note?: string;
}

export interface AlertDeps {
  store: AlertStore;
  drawing(id: string): Drawing | undefined;
  /** The condition's indicator output on the bars before `to` (ms, exclusive): the newest `last` values, oldest first, null where undefined. */
  indicatorValues(c: IndicatorCondition, to: number, last: number): Promise<{ ts: number[]; values: (number | null)[] }>;
  /** Throws BAD_INPUT saying what is wrong with an indicator condition (an unknown indicator, output or parameter). */
  checkIndicator(c: IndicatorCondition): void;
  publish: Publish;
  log: Logger;
  now(): number;
}

/** Rules a workspace may hold. */
export const MAX_ALERT_RULES = 500;
/** Indicator values asked for per closed bar: enough to catch up on bars closed while the last evaluation ran. */
const INDICATOR_CATCH_UP = 50;

const fmt = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: 8 });
const fmtBarTime = (ts: number): string => `${new Date(ts).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

interface RuleState {
  /** Indicator rules: the last bar evaluated, its value, and whether the condition held there. */
  lastTs?: number;
  lastValue?: number;
  met?: boolean;
  /** Indicator rules: the newest closed bar to evaluate up to, and the evaluation under way. */
  want?: number;
  running?: Promise<void>;
  /** Denial bursts: when this rule last fired, so one burst fires it once. */
  burstAt?: number;
}

/**
 * Alerts, evaluated in the engine so that they fire with the page closed. EngineApp taps every
 * push through `observe`: bar updates (forming and closed) move prices across levels and drawn
 * lines; closed bars evaluate indicator conditions (asynchronously, one evaluation per rule at
 * a time, catching up on bars that closed meanwhile); risk state and denials raise risk
 * events; the strategy host's pushes (`strategy`, `strategyLog`, and fills on a strategy's
 * ledger) raise strategy events. A rule that fires is logged (SQLite) and pushed on the
 * `alert` topic; a once-rule is then switched off.
 *
 * Nothing here may throw into the caller: it runs inside the desk's publish path. Failures
 * go to the log.
 */
export class AlertService {
  private readonly rules = new Map<string, AlertRule>();
  private readonly states = new Map<string, RuleState>();
  /** Per symbol|timeframe: the bar being formed (to read how far a new update moved). */
  private readonly bars = new Map<string, { ts: number; high: number; low: number }>();
  /** Per symbol: the last price seen, where the next move starts from. */
  private readonly lastPrice = new Map<string, number>();
  private readonly drawings = new Map<string, Drawing | undefined>();
  private riskSeen: { rank: number; engaged: boolean } | undefined;
  /** Per running strategy instance (its id is its ledger's): the strategy, its last state and signal seen. */
  private readonly instances = new Map<string, { strategy: string; state: string; signalTs?: number; signalText?: string }>();
  private denials: number[] = [];

  constructor(private readonly deps: AlertDeps) {
    for (const r of deps.store.rules()) this.rules.set(r.id, r);
  }

  list(): AlertRule[] {
    return [...this.rules.values()];
  }

  log(limit: number): AlertLogEntry[] {
    return this.deps.store.log(limit);
  }

  create(input: AlertInput): AlertRule {
    if (this.rules.size >= MAX_ALERT_RULES) throw new KeelError('BAD_INPUT', `at most ${MAX_ALERT_RULES} alerts can be set; delete some first`, { where: 'condition' });
    const condition = this.checked(input.condition);
    const rule: AlertRule = { id: `a-${this.deps.now().toString(36)}-${randomBytes(3).toString('hex')}`, condition, mode: input.mode, enabled: true, createdAt: this.deps.now(), fired: 0 };
    if (input.note?.trim()) rule.note = input.note.trim();
    this.deps.store.saveRule(rule);
    this.rules.set(rule.id, rule);
    this.deps.log.info(`alert set: ${this.describe(rule)} (${rule.mode})`);
    return rule;
  }

  update(id: string, patch: { enabled?: boolean; mode?: AlertMode; note?: string }): AlertRule {
    const old = this.rules.get(id);
    if (!old) throw new KeelError('NOT_FOUND', `no alert ${id}`, { where: 'id' });
    const next: AlertRule = { ...old };
    if (patch.enabled !== undefined) next.enabled = patch.enabled;
    if (patch.mode !== undefined) next.mode = patch.mode;
    if (patch.note !== undefined) {
      if (patch.note.trim()) next.note = patch.note.trim();
      else delete next.note;
    }
    this.deps.store.saveRule(next);
    this.rules.set(id, next);
    // Switched back on: it starts afresh, as if just set.
    if (patch.enabled && !old.enabled) this.states.delete(id);
    return next;
  }

  remove(id: string): boolean {
    this.states.delete(id);
    const had = this.rules.delete(id);
    return this.deps.store.deleteRule(id) || had;
  }

  /** A drawing was saved or deleted: lines are re-read; alerts on a deleted line go with it. */
  drawingChanged(id: string): void {
    this.drawings.delete(id);
    if (this.deps.drawing(id)) return;
    for (const r of this.rules.values()) {
      if (r.condition.kind === 'drawing' && r.condition.drawingId === id) {
        this.remove(r.id);
        this.deps.log.info(`alert ${r.id} removed with the line it watched`);
      }
    }
  }

  /** Every push the engine makes, before it goes out. */
  observe<T extends TopicName>(topic: T, item: Topics[T]): void {
    try {
      if (topic === 'bar') this.onBar(item as Topics['bar']);
      else if (topic === 'risk') this.onRisk(item as Topics['risk']);
      else if (topic === 'denial') this.onDenial(item as Topics['denial']);
      else if (topic === 'alert') this.onEngineAlert(item as Topics['alert']);
      else if (topic === 'strategy') this.onStrategy(item as Topics['strategy']);
      else if (topic === 'strategyLog') this.onStrategyLog(item as Topics['strategyLog']);
      else if (topic === 'fill') this.onFill(item as Topics['fill']);
    } catch (e) {
      this.deps.log.error(`alert evaluation failed on ${topic}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Resolves when every indicator evaluation under way has finished (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.states.values()].map((s) => s.running).filter((p): p is Promise<void> => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  // ---------- evaluation ----------

  private enabled(kind: AlertCondition['kind']): AlertRule[] {
    return [...this.rules.values()].filter((r) => r.enabled && r.condition.kind === kind);
  }

  /**
   * The prices an update moved through since the last one seen for its symbol: for a new bar,
   * its path (open, nearer extreme, farther extreme, close); for the same bar, a new high or
   * low it reached (nearer first), then its close.
   */
  private path(b: Topics['bar']): number[] {
    const key = `${b.symbol}|${b.timeframe}`;
    const seen = this.bars.get(key);
    this.bars.set(key, { ts: b.ts, high: b.high, low: b.low });
    if (!seen || seen.ts !== b.ts) return barPath(b.open, b.high, b.low, b.close);
    const from = this.lastPrice.get(b.symbol) ?? b.close;
    const extremes: number[] = [];
    if (b.high > seen.high) extremes.push(b.high);
    if (b.low < seen.low) extremes.push(b.low);
    extremes.sort((x, y) => Math.abs(x - from) - Math.abs(y - from));
    return [...extremes, b.close];
  }

  private onBar(b: Topics['bar']): void {
    const path = this.path(b);
    const start = this.lastPrice.get(b.symbol) ?? path[0]!;
    this.lastPrice.set(b.symbol, path[path.length - 1]!);
    const moved = (level: number, cross: Parameters<typeof crosses>[3]): number | undefined => {
      let from = start;
      for (const p of path) {
        if (crosses(from, p, level, cross)) return p;
        from = p;
      }
      return undefined;
    };
    for (const r of this.enabled('price')) {
      const c = r.condition as Extract<AlertCondition, { kind: 'price' }>;
      if (c.symbol !== b.symbol) continue;
      const at = moved(c.level, c.cross);
      if (at !== undefined) this.fire(r, `${c.symbol} crossed ${fmt(c.level)}`, `${describeCondition(c)}: traded ${fmt(at)} (bar ${fmtBarTime(b.ts)}, ${b.timeframe})`);
    }
    for (const r of this.enabled('drawing')) {
      const c = r.condition as Extract<AlertCondition, { kind: 'drawing' }>;
      if (c.symbol !== b.symbol) continue;
      const d = this.drawingOf(c.drawingId);
      const level = d ? lineValueAt(d, b.ts) : undefined;
      if (level === undefined) continue;
      const at = moved(level, c.cross);
      const name = d ? DRAWING_LABELS[d.kind].toLowerCase() : 'line';
      if (at !== undefined) this.fire(r, `${c.symbol} crossed the ${name}`, `${describeCondition(c, `the ${name} (at ${fmt(level)})`)}: traded ${fmt(at)} (bar ${fmtBarTime(b.ts)}, ${b.timeframe})`);
    }
    if (b.closed) {
      for (const r of this.enabled('indicator')) {
        const c = r.condition as IndicatorCondition;
        if (c.symbol === b.symbol && c.timeframe === b.timeframe) this.evaluateIndicator(r.id, b.ts);
      }
    }
  }

  private drawingOf(id: string): Drawing | undefined {
    if (!this.drawings.has(id)) this.drawings.set(id, this.deps.drawing(id));
    return this.drawings.get(id);
  }

  /** Evaluates the rule up to the bar that closed at `ts`; one evaluation at a time, the latest request wins. */
  private evaluateIndicator(id: string, ts: number): void {
    const st = this.stateOf(id);
    st.want = Math.max(st.want ?? -Infinity, ts);
    if (st.running) return;
    st.running = (async () => {
      while (st.want !== undefined && st.want > (st.lastTs ?? -Infinity)) {
        const to = st.want;
        const before = st.lastTs;
        await this.indicatorStep(id, st, to);
        if (st.lastTs === before) break; // no new value (the bar is not stored yet): the next closed bar catches up
      }
    })()
      .catch((e: unknown) => this.deps.log.warn(`alert ${id}: indicator not evaluated: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        st.running = undefined;
      });
  }

  private async indicatorStep(id: string, st: RuleState, upTo: number): Promise<void> {
    const rule = this.rules.get(id);
    if (!rule?.enabled) {
      st.want = undefined;
      return;
    }
    const c = rule.condition as IndicatorCondition;
    const { ts, values } = await this.deps.indicatorValues(c, upTo + 1, INDICATOR_CATCH_UP);
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (st.lastTs !== undefined && t <= st.lastTs) continue;
      const v = values[i];
      // A fresh rule starts from the newest closed bar: older bars are history, not news.
      if (st.lastTs === undefined && i < ts.length - 1) continue;
      const prev = st.lastTs === undefined ? (values[i - 1] ?? undefined) : st.lastValue;
      st.lastTs = t;
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      const met = indicatorMet(c.op, prev === null ? undefined : prev, v, c.value);
      const edge = c.op === 'above' || c.op === 'below' ? met && !st.met : met;
      st.met = met;
      st.lastValue = v;
      if (edge && this.rules.get(id)?.enabled) this.fire(this.rules.get(id)!, `${c.symbol} ${c.timeframe}: ${c.indicator.toUpperCase()} alert`, `${describeCondition(c)}: ${fmt(v)} at the close of ${fmtBarTime(t)}`);
    }
  }

  private onRisk(r: Topics['risk']): void {
    const seen = { rank: TRADING_STATES.indexOf(r.tradingState), engaged: r.killSwitch.engaged };
    const prev = this.riskSeen;
    this.riskSeen = seen;
    if (!prev) return;
    if (seen.rank > prev.rank) {
      const why = r.killSwitch.engaged ? `the kill switch is engaged: ${r.killSwitch.reason ?? 'no reason given'}` : `a breaker moved trading to ${r.tradingState}`;
      this.fireRisk('breaker', `Trading ${r.tradingState}`, `${why}.`);
    }
    if (!prev.engaged && seen.engaged && /^watchdog: data\b/.test(r.killSwitch.reason ?? '')) {
      this.fireRisk('stale_feed', 'Stale feed', `${r.killSwitch.reason}; the kill switch is engaged.`);
    }
  }

  private onDenial(d: Topics['denial']): void {
    if (d.check === 'stale_price') this.fireRisk('stale_feed', `Stale price for ${d.symbol}`, `${d.reason}.`);
    const now = d.ts;
    this.denials.push(now);
    const longest = Math.max(DENIAL_BURST_DEFAULT.windowSec, ...this.enabled('risk').map((r) => (r.condition as { windowSec?: number }).windowSec ?? 0));
    this.denials = this.denials.filter((t) => t > now - longest * 1000);
    for (const r of this.enabled('risk')) {
      const c = r.condition as Extract<AlertCondition, { kind: 'risk' }>;
      if (c.event !== 'denial_burst') continue;
      const count = c.count ?? DENIAL_BURST_DEFAULT.count;
      const windowMs = (c.windowSec ?? DENIAL_BURST_DEFAULT.windowSec) * 1000;
      const inWindow = this.denials.filter((t) => t > now - windowMs).length;
      const st = this.stateOf(r.id);
      // One burst fires once: not again until a whole window has passed since it fired.
      if (inWindow < count || (st.burstAt !== undefined && now - st.burstAt < windowMs)) continue;
      st.burstAt = now;
      this.fire(r, 'Burst of denials', `${inWindow} orders denied within ${windowMs / 1000} s; the last: ${d.check}: ${d.reason}.`, 'warn');
    }
  }

  // ---------- strategy events, from the strategy host's pushes ----------

  /** An instance's view: a new state (or a first sight of a running one) and a new signal are events. */
  private onStrategy(v: Topics['strategy']): void {
    const seen = this.instances.get(v.id);
    const now: { strategy: string; state: string; signalTs?: number; signalText?: string } = { strategy: v.strategy, state: v.state };
    if (v.lastSignal) {
      now.signalTs = v.lastSignal.ts;
      now.signalText = v.lastSignal.text;
    }
    this.instances.set(v.id, now);
    if (seen?.state !== v.state) {
      const event: StrategyEventKind | undefined = v.state === 'running' ? 'started' : v.state;
      const where = `${v.symbol} ${v.timeframe}`;
      const message =
        v.state === 'running'
          ? seen
            ? `running again on ${where}`
            : `running on ${where}`
          : `${v.state} on ${where}${v.stateReason ? `: ${v.stateReason}` : ''}`;
      this.strategyEvent(v.id, v.strategy, event, message);
    }
    if (v.lastSignal && seen && (v.lastSignal.ts !== seen.signalTs || v.lastSignal.text !== seen.signalText)) {
      this.strategyEvent(v.id, v.strategy, 'signal', v.lastSignal.text);
    }
  }

  /** Errors and warnings a strategy logged; its state changes are told by its view (onStrategy). */
  private onStrategyLog(e: Topics['strategyLog']): void {
    if (e.kind !== 'error' && e.kind !== 'warn') return;
    if (/^\w+ -> \w+/.test(e.message)) return;
    const inst = this.instances.get(e.id);
    this.strategyEvent(e.id, inst?.strategy, e.kind === 'error' ? 'error' : 'warning', e.message);
  }

  /** A fill on a strategy's own ledger. */
  private onFill(f: Topics['fill']): void {
    const inst = f.ledger === undefined ? undefined : this.instances.get(f.ledger);
    if (!inst) return;
    this.strategyEvent(f.ledger!, inst.strategy, 'fill', `${f.side === 'buy' ? 'bought' : 'sold'} ${fmt(f.qty)} ${f.symbol} at ${fmt(f.price)}`);
  }

  private strategyEvent(instance: string, strategy: string | undefined, event: StrategyEventKind, message: string): void {
    for (const r of this.enabled('strategy')) {
      const c = r.condition as Extract<AlertCondition, { kind: 'strategy' }>;
      if (c.strategy && c.strategy !== strategy && c.strategy !== instance) continue;
      if (c.event && c.event !== event) continue;
      this.fire(r, `${instance}: ${event}`, message, event === 'failed' || event === 'error' ? 'error' : event === 'warning' ? 'warn' : 'info');
    }
  }

  private fireRisk(event: RiskEventKind, title: string, message: string): void {
    for (const r of this.enabled('risk')) if ((r.condition as { event: RiskEventKind }).event === event) this.fire(r, title, message, 'warn');
  }

  /** Engine alerts (a flatten that failed, a journal write refused) go to the same log. */
  private onEngineAlert(a: Alert): void {
    if (a.ruleId !== undefined) return;
    this.deps.store.append({ ts: a.ts, kind: 'engine', title: a.title, message: a.message });
  }

  private fire(rule: AlertRule, title: string, message: string, level: Alert['level'] = 'info'): void {
    const current = this.rules.get(rule.id);
    if (!current?.enabled) return;
    const ts = this.deps.now();
    const next: AlertRule = { ...current, fired: current.fired + 1, lastFiredAt: ts, enabled: current.mode === 'every' };
    const text = current.note ? `${message} (${current.note})` : message;
    try {
      this.deps.store.fired(next, { ruleId: rule.id, ts, kind: current.condition.kind, title, message: text });
    } catch (e) {
      // Still shown: a trader's alert must not be swallowed because the log could not be written.
      this.deps.log.error(`alert ${rule.id} fired but was not logged: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.rules.set(rule.id, next);
    this.deps.log.info(`alert: ${title}: ${text}`);
    this.deps.publish('alert', { level, title, message: text, ts, ruleId: rule.id, kind: current.condition.kind });
  }

  private stateOf(id: string): RuleState {
    let st = this.states.get(id);
    if (!st) this.states.set(id, (st = {}));
    return st;
  }

  private describe(r: AlertRule): string {
    const c = r.condition;
    if (c.kind !== 'drawing') return describeCondition(c);
    const d = this.drawingOf(c.drawingId);
    return describeCondition(c, d ? `the ${DRAWING_LABELS[d.kind].toLowerCase()}` : undefined);
  }

  /** The condition as it will be kept, or BAD_INPUT naming what is wrong. */
  private checked(c: AlertCondition): AlertCondition {
    if (c.kind === 'drawing') {
      const d = this.deps.drawing(c.drawingId);
      if (!d) throw new KeelError('NOT_FOUND', `no drawing ${c.drawingId}`, { where: 'condition.drawingId' });
      if (!LINE_DRAWINGS.includes(d.kind)) {
        throw new KeelError('BAD_INPUT', `a ${DRAWING_LABELS[d.kind].toLowerCase()} has no single price to cross; use a horizontal line, a trend line or a ray`, { where: 'condition.drawingId' });
      }
      return { ...c, symbol: d.symbol };
    }
    if (c.kind === 'indicator') this.deps.checkIndicator(c);
    return c;
  }
}
