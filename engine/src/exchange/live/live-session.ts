/**
 * A live desk's link to its exchange account: the user stream, reconciliation on start and
 * after every reconnect, and the gate that keeps new orders back until both are good.
 *
 * Order of things, so that nothing falls between two chairs: the user stream is connected
 * first, then the snapshot is taken (open orders, each journal order asked about, their
 * fills, balances), so an event after the snapshot arrives on the stream, and one before it is
 * in the snapshot; both paths go through the order manager's report path, where the same
 * trade id for the same order is applied once.
 *
 * What is not Keel's is never touched: orders open at the exchange without this instance's
 * prefix are listed as external; a balance that the journal's fills do not account for is
 * listed as a difference. The trader decides (adopt, cancel, ignore).
 */
import type { Clock } from '../../core/clock';
import { Emitter } from '../../core/emitter';
import { KeelError } from '../../core/errors';
import { spareUnderKillSwitch, type ReconcileOutcome, type TradingDesk } from '../../desk/desk';
import { balanceDiffs, expectedBalances, type BalanceBaseline, type BalanceDiff, type Unresolved } from '../../execution/reconcile';
import type { OrderStatusReport } from '../../execution/types';
import type { Fill } from '../../model/fill';
import type { OrderSnapshot } from '../../model/order';
import type { LiveVenue } from './live-venue';

/** Where the balance baseline is kept (the state database's settings). */
/** An engaged kill switch sweeps again this often, while any order is still working. */
const KILL_RESWEEP_MS = 2_000;

export interface BaselineStore {
  setting(key: string): unknown;
  setSetting(key: string, value: unknown, ts: number): void;
}

export interface ReconcileReport {
  at: number;
  /** Events applied: acknowledgements, fills, final states. */
  acknowledged: number;
  fills: number;
  closed: number;
  unresolved: Unresolved[];
  external: OrderStatusReport[];
  strays: OrderStatusReport[];
  balances: BalanceDiff[];
}

export type SessionState = 'starting' | 'reconciling' | 'ready' | 'failed' | 'stopped';

export interface LiveSessionOptions {
  account: string;
  desk: TradingDesk;
  venue: LiveVenue;
  store: BaselineStore;
  /** Every fill of this account's journal, in order (balances are what they add up to). */
  fills: () => Fill[];
  /** Base and quote of a Keel symbol. */
  assetsOf: (symbol: string) => { base: string; quote: string };
  clock: Clock;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  /** How soon an unresolved reconciliation is tried again. */
  retryMs?: number;
  /** How often an engaged kill switch looks for orders still working (default KILL_RESWEEP_MS). */
  resweepMs?: number;
}

export class LiveSession {
  readonly changed = new Emitter<{ state: SessionState; report?: ReconcileReport }>();
  private state: SessionState = 'starting';
  private report: ReconcileReport | undefined;
  private running: Promise<ReconcileReport | undefined> | undefined;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private resweep: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  private reason = 'not reconciled with the exchange yet';

  constructor(private readonly opts: LiveSessionOptions) {
    opts.desk.setVenueGate(() => this.gate());
    opts.desk.events.on((e) => {
      if (e.kind !== 'connection') return;
      if (e.state === 'connected') void this.reconcile();
      else this.hold(`the ${opts.venue.name} user stream is ${e.state}${e.detail ? ` (${e.detail})` : ''}; reconciling when it is back`);
    });
  }

  /**
   * The session's state; why it holds orders back; its last reconciliation; and whether the
   * exchange will cancel the orders if Keel is cut off (its dead man's switch), in words.
   */
  get status(): { state: SessionState; reason?: string; report?: ReconcileReport; cancelOnDisconnect: string } {
    return { state: this.state, ...(this.state !== 'ready' && { reason: this.reason }), ...(this.report && { report: this.report }), cancelOnDisconnect: this.opts.venue.cancelOnDisconnect.text };
  }

  /** Why new orders may not go out now, or undefined. */
  private gate(): { check: string; reason: string } | undefined {
    if (this.state !== 'ready') return { check: 'not_reconciled', reason: `${this.opts.account}: ${this.reason}` };
    const stream = this.opts.venue.notReady();
    if (stream) return { check: 'user_stream', reason: stream };
    return undefined;
  }

  private hold(reason: string): void {
    this.reason = reason;
    if (this.state === 'ready') this.set('reconciling');
  }

  private set(state: SessionState): void {
    this.state = state;
    this.changed.emit({ state, ...(this.report && { report: this.report }) });
  }

  /**
   * The kill switch at the exchange: every working order of the desk is cancelled there, then
   * every open order under this instance's prefix the journal does not hold (a stray). Orders
   * Keel did not place are not its to touch and are left. `flatten` closes at the exchange
   * through the desk's reducing market orders.
   */
  armKillSwitch(killSwitch: { readonly engaged: boolean; attach(control: { cancelAll(): number; flatten(): void }): void }): void {
    const { desk, venue, log } = this.opts;
    // While it stays engaged the sweep is repeated: a cancel the exchange refused (after its one
    // retry) leaves an order working there, and nothing else would ask again.
    this.resweep = setInterval(() => {
      if (this.stopped || !killSwitch.engaged) return;
      for (const o of desk.orders.workingOrders()) {
        if (o.cancelRequested || spareUnderKillSwitch(o)) continue;
        log.warn(`kill switch: ${o.clientOrderId} is still working at ${venue.name}; cancelling it again`);
        desk.cancel(o.id);
      }
    }, this.opts.resweepMs ?? KILL_RESWEEP_MS);
    this.resweep.unref?.();
    killSwitch.attach({
      cancelAll: () => {
        const n = desk.cancelAll({});
        void venue.cancelStrays().then(
          (strays) => strays > 0 && log.warn(`kill switch: ${strays} stray orders of this instance cancelled at ${venue.name}`),
          (e: unknown) => log.error(`kill switch: open orders at ${venue.name} not swept: ${e instanceof Error ? e.message : String(e)}`),
        );
        return n;
      },
      flatten: () => void desk.flatten({}, 'kill switch'),
    });
  }

  /** Starts the user stream; reconciliation follows each time it connects. */
  start(): void {
    this.stopped = false;
    this.opts.venue.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.resweep) clearInterval(this.resweep);
    await this.running?.catch(() => undefined);
    await this.opts.venue.stop();
    this.set('stopped');
  }

  /** Reconciles now (or once more after the one running). Resolves with its report. */
  reconcile(): Promise<ReconcileReport | undefined> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      let last: ReconcileReport | undefined;
      do {
        this.again = false;
        last = await this.once();
      } while (this.again && !this.stopped);
      return last;
    })();
    this.running = run;
    void run.finally(() => {
      if (this.running === run) this.running = undefined;
    });
    return run;
  }

  private async once(): Promise<ReconcileReport | undefined> {
    if (this.stopped) return undefined;
    if (this.state !== 'starting') this.set('reconciling');
    const { desk, log } = this.opts;
    let outcome: ReconcileOutcome;
    try {
      outcome = await desk.reconcile();
    } catch (e) {
      this.reason = `reconciliation failed: ${e instanceof Error ? e.message : String(e)}; trying again`;
      log.warn(`${this.opts.account}: ${this.reason}`);
      this.set('failed');
      this.later();
      return undefined;
    }
    const plan = outcome.plan!;
    const now = this.opts.clock.now();
    const counts = { acknowledged: 0, fills: 0, closed: 0 };
    for (const a of plan.actions) {
      if (a.kind === 'accepted') counts.acknowledged++;
      else if (a.kind === 'fill') counts.fills++;
      else counts.closed++;
    }
    const report: ReconcileReport = { at: now, ...counts, unresolved: plan.unresolved, external: plan.external, strays: plan.strays, balances: this.balances(outcome.status?.balances ?? []) };
    this.report = report;
    if (plan.external.length > 0) log.warn(`${this.opts.account}: ${plan.external.length} open orders at ${this.opts.venue.name} were not placed by Keel; they are listed and left alone`);
    if (plan.strays.length > 0) log.warn(`${this.opts.account}: ${plan.strays.length} open orders carry this instance's prefix but are not in its journal`);
    if (report.balances.length > 0) log.warn(`${this.opts.account}: balances differ from the journal in ${report.balances.map((b) => `${b.asset} (${b.diff > 0 ? '+' : ''}${b.diff})`).join(', ')}`);
    if (plan.unresolved.length > 0) {
      this.reason = `${plan.unresolved.length} orders not settled yet (${plan.unresolved[0]!.reason}); reconciling again`;
      this.set('reconciling');
      this.later();
      return report;
    }
    this.set('ready');
    log.info(`${this.opts.account}: reconciled with ${this.opts.venue.name} (${counts.acknowledged} acknowledged, ${counts.fills} fills, ${counts.closed} closed, ${plan.external.length} external)`);
    return report;
  }

  private later(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reconcile();
    }, this.opts.retryMs ?? 2_000);
    this.timer.unref?.();
  }

  private baselineKey(): string {
    return `live.${this.opts.account}.balanceBaseline`;
  }

  /**
   * The exchange's balances against what the journal accounts for. The first time an account
   * is reconciled, what it held then (less what the journal's fills already moved) is its
   * baseline; later differences are deposits, withdrawals, trading elsewhere or a fill Keel
   * missed, and are shown, never booked silently.
   */
  private balances(venue: readonly { asset: string; total: number }[]): BalanceDiff[] {
    const fills = this.opts.fills();
    let baseline = this.opts.store.setting(this.baselineKey()) as BalanceBaseline | undefined;
    if (!baseline || typeof baseline !== 'object' || typeof baseline.totals !== 'object') {
      const moved = expectedBalances({ ts: 0, totals: {} }, fills, this.opts.assetsOf);
      const totals: Record<string, number> = {};
      for (const b of venue) totals[b.asset] = b.total - (moved.get(b.asset) ?? 0);
      baseline = { ts: this.opts.clock.now(), totals };
      this.opts.store.setSetting(this.baselineKey(), baseline, baseline.ts);
    }
    return balanceDiffs(expectedBalances(baseline, fills, this.opts.assetsOf), venue);
  }

  /** Takes an external order into the manual ledger, as the trader chose. */
  async adopt(clientOrderId: string): Promise<OrderSnapshot> {
    const r = this.externalOrder(clientOrderId);
    const fills = await this.opts.venue.fillsOf(r);
    const o = this.opts.desk.adopt(r, fills);
    this.forget(clientOrderId);
    this.opts.log.info(`${this.opts.account}: external order ${clientOrderId} adopted into the manual ledger`);
    return o;
  }

  /** Cancels an external order at the exchange, as the trader chose. */
  async cancelExternal(clientOrderId: string): Promise<void> {
    const r = this.externalOrder(clientOrderId);
    await this.opts.venue.cancelAtVenue(r);
    this.forget(clientOrderId);
    this.opts.log.info(`${this.opts.account}: external order ${clientOrderId} cancelled at ${this.opts.venue.name}`);
  }

  /** Leaves an external order alone and off the list, as the trader chose (it is listed again by the next reconciliation). */
  ignore(clientOrderId: string): void {
    this.externalOrder(clientOrderId);
    this.forget(clientOrderId);
  }

  private externalOrder(clientOrderId: string): OrderStatusReport {
    const r = this.report?.external.find((x) => x.clientOrderId === clientOrderId) ?? this.report?.strays.find((x) => x.clientOrderId === clientOrderId);
    if (!r) throw new KeelError('NOT_FOUND', `no external order ${clientOrderId.slice(0, 60)} in the last reconciliation`, { where: 'clientOrderId' });
    return r;
  }

  private forget(clientOrderId: string): void {
    if (!this.report) return;
    this.report = { ...this.report, external: this.report.external.filter((x) => x.clientOrderId !== clientOrderId), strays: this.report.strays.filter((x) => x.clientOrderId !== clientOrderId) };
    this.changed.emit({ state: this.state, report: this.report });
  }
}
