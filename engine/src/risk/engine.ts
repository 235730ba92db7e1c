import { WallClock, type Clock } from '../core/clock';
import type { PreTradeRisk, RiskVerdict, RiskView } from '../execution/types';
import type { Account } from '../model/account';
import type { Fill } from '../model/fill';
import { MANUAL_LEDGER, type OrderRequest } from '../model/order';
import type { RiskState, TradingState } from '../model/risk-state';
import { CircuitBreakers, dayKey, dayStart, type BreakerTransition } from './breakers';
import { Book } from './checks/book';
import { DuplicateCheck } from './checks/duplicate';
import { maxExposure, maxOpenPositions, maxPosition } from './checks/exposure';
import { OrderRateCheck } from './checks/order-rate';
import { ORDER_SHAPE, shapeOrder } from './checks/order-shape';
import { maxOrderNotional, maxOrderQty, minNotional, minQty } from './checks/order-size';
import { priceCollar, stalePrice } from './checks/price';
import { selfMatch } from './checks/self-match';
import { isEmergencyReduction, REDUCE_ONLY, reduceOnlyDenial, tradingStateDenial } from './checks/trading-state';
import type { CheckInput, RiskCheck } from './checks/types';
import { workingNotional } from './checks/working-notional';
import { KillSwitch, type KillEvent } from './kill-switch';
import { RiskLatch } from './latch';
import { DEFAULT_LIMITS, mergeLimits, type RiskLimits } from './limits';
import { MemoryRiskPersistence, type RiskPersistence } from './persistence';
import { Watchdog } from './watchdog';

export type RiskEvent =
  | { kind: 'denied'; request: OrderRequest; check: string; reason: string; ts: number }
  | { kind: 'state'; from: TradingState; to: TradingState; reason: string | undefined; actor: string; ts: number }
  | { kind: 'limits'; before: RiskLimits; after: RiskLimits; actor: string; ts: number }
  | KillEvent;

export interface RiskEngineOptions {
  /** Where limits, the latch and the audit trail live; memory when omitted (backtests). */
  persistence?: RiskPersistence;
  /** Time for actions outside check() (kill switch, limit changes); check() uses the view's clock. */
  clock?: Clock;
  /** Limits for this run only, over the stored ones (a backtest's configuration); not persisted. */
  limits?: Partial<RiskLimits>;
  onEvent?: (e: RiskEvent) => void;
}

/**
 * The one pre-trade gate for manual orders, strategies, backtests, paper and live. Reads only
 * memory in check(): limits and the latch are loaded at start and kept current by the
 * methods that change them (and refreshLatch() for changes made by another process).
 */
export class RiskEngine implements PreTradeRisk {
  readonly killSwitch: KillSwitch;
  private readonly persistence: RiskPersistence;
  private readonly clock: Clock;
  private readonly latch: RiskLatch;
  private readonly breakers: CircuitBreakers;
  private readonly emit: (e: RiskEvent) => void;
  private currentLimits: RiskLimits;
  private lastEquity: number | undefined;
  private lastDenial: RiskState['lastDenial'];
  /** Order matters: cheap stateless checks first; rate and duplicate last, as they remember accepted orders. */
  private readonly checks: readonly RiskCheck[];

  constructor(opts: RiskEngineOptions = {}) {
    this.persistence = opts.persistence ?? new MemoryRiskPersistence();
    this.clock = opts.clock ?? new WallClock();
    this.emit = opts.onEvent ?? (() => {});
    const stored = mergeLimits(DEFAULT_LIMITS, this.persistence.loadLimits() ?? {}, 'settings risk.limits');
    this.currentLimits = opts.limits ? mergeLimits(stored, opts.limits, 'risk engine options') : stored;
    this.latch = new RiskLatch(this.persistence);
    this.breakers = new CircuitBreakers(this.persistence, this.latch.current.peakEquity, (peak, ts) => this.latch.setPeak(peak, ts));
    this.killSwitch = new KillSwitch(this.latch, this.clock, (e) => this.emit(e));
    this.checks = [
      stalePrice,
      priceCollar,
      minQty,
      minNotional,
      maxOrderQty,
      maxOrderNotional,
      selfMatch,
      maxPosition,
      maxExposure,
      maxOpenPositions,
      workingNotional,
      new DuplicateCheck(),
      new OrderRateCheck(),
    ];
  }

  get limits(): RiskLimits {
    return this.currentLimits;
  }

  get tradingState(): TradingState {
    return this.latch.current.tradingState;
  }

  check(request: OrderRequest, view: RiskView): RiskVerdict {
    this.observeEquity(view.account.equity(), view.now());
    const v = this.evaluate(request, view, true);
    if (!v.ok) this.recordDenial(request, v.check, v.reason, view.now());
    return v;
  }

  /**
   * The verdict check() would give, with no effects: no audit row, no event, no token spent,
   * nothing remembered for duplicate detection. For the order ticket's preview.
   */
  preview(request: OrderRequest, view: RiskView): RiskVerdict {
    return this.evaluate(request, view, false);
  }

  private evaluate(request: OrderRequest, view: RiskView, commit: boolean): RiskVerdict {
    const now = view.now();
    const equity = view.account.equity();
    const deny = (check: string, reason: string): RiskVerdict => ({ ok: false, check, reason });

    const shaped = shapeOrder(request, view);
    if (!shaped.ok) return deny(ORDER_SHAPE, shaped.reason);
    const req = shaped.req;
    const ref = view.referencePrice(req.symbol);
    const book = new Book(view, view.workingOrders(), req.amends);
    const qty = req.qty ?? (ref ? (req.quoteQty as number) / ref.price : NaN);
    const signed = req.side === 'buy' ? qty : -qty;
    // Reducing is measured in the order's own ledger: what it holds there, and its orders there.
    const mine = book.ledger(req.ledger ?? MANUAL_LEDGER, req.symbol);

    const latched = this.latch.current;
    const stateDenial = tradingStateDenial(
      { killEngaged: latched.killEngaged, killReason: latched.killReason, state: latched.tradingState, stateReason: latched.tradingReason },
      mine,
      signed,
      req.source,
    );
    if (stateDenial) return deny(stateDenial[0], stateDenial[1]);
    const reduceDenial = reduceOnlyDenial(req.reduceOnly, mine, signed);
    if (reduceDenial) return deny(REDUCE_ONLY, reduceDenial);
    // Orders that must only reduce go out reduce-only, so the venue enforces it too.
    if (isEmergencyReduction(req.source, mine, signed)) return { ok: true, request: { ...req, reduceOnly: true } };
    const out = latched.tradingState === 'REDUCING' ? { ...req, reduceOnly: true } : req;

    const price = req.price ?? req.stopPrice ?? ref?.price ?? NaN;
    const input: CheckInput = {
      req,
      limits: this.currentLimits,
      instrument: shaped.instrument,
      now,
      ref,
      qty,
      price,
      notional: req.quoteQty ?? qty * price,
      signed,
      equity,
      book,
    };
    for (const c of this.checks) {
      const reason = c.run(input);
      if (reason !== undefined) return deny(c.id, reason);
    }
    if (commit) for (const c of this.checks) c.accepted?.(input);
    return { ok: true, request: out };
  }

  onFill(fill: Fill, view: RiskView): void {
    this.observeEquity(view.account.equity(), fill.ts);
  }

  /**
   * At start-up, before the first trade: the breakers and gauges take up the trading day
   * where it was. The day's start equity is the stored one; when none was stored (the engine
   * was down at the boundary and nothing was observed since), it is rebuilt as of the
   * boundary by `equityAt`, from the fills. Then today's equity is observed, so the daily
   * loss reads right at once rather than after the next trade.
   */
  resume(equity: number, ts: number, equityAt: (boundaryTs: number) => number): void {
    const offset = this.currentLimits.dayBoundaryUtcOffsetMinutes;
    const key = dayKey(ts, offset);
    if (this.persistence.dayStartEquity(key) === undefined) this.persistence.setDayStartEquity(key, equityAt(dayStart(ts, offset)), ts);
    this.observeEquity(equity, ts);
  }

  /** Mark-to-market equity from the host (every price update): what the breakers watch. */
  onEquity(equity: number, ts: number): void {
    this.observeEquity(equity, ts);
  }

  private observeEquity(equity: number, ts: number): void {
    this.lastEquity = equity;
    const t = this.breakers.observe(equity, ts, this.currentLimits, this.latch.current);
    if (t) this.applyTransition(t, ts);
  }

  private applyTransition(t: BreakerTransition, ts: number): void {
    const from = this.latch.current.tradingState;
    const actor = `breaker:${t.breaker}`;
    const changed = this.latch.update(ts, (s) => {
      if (s.tradingState === t.to) return undefined;
      s.tradingState = t.to;
      s.tradingReason = t.to === 'ACTIVE' ? undefined : t.reason;
      s.tradingSince = ts;
      return { actor, action: 'risk.state' };
    });
    if (changed) this.emit({ kind: 'state', from, to: t.to, reason: t.reason, actor, ts });
  }

  /**
   * A person moves the trading state, e.g. back to ACTIVE after a breaker halt. Going ACTIVE
   * restarts the drawdown peak from current equity, or the same drawdown would trip again at once.
   */
  setTradingState(to: TradingState, actor: string, reason?: string): void {
    const ts = this.clock.now();
    const from = this.latch.current.tradingState;
    const changed = this.latch.update(ts, (s) => {
      if (s.tradingState === to && s.tradingReason === reason) return undefined;
      s.tradingState = to;
      s.tradingReason = reason;
      s.tradingSince = ts;
      return { actor, action: 'risk.state' };
    });
    if (to === 'ACTIVE' && this.lastEquity !== undefined) this.breakers.resetPeak(this.lastEquity, ts);
    if (changed) this.emit({ kind: 'state', from, to, reason, actor, ts });
  }

  /** Validates every field (errors name the field), persists, and audits before and after. */
  setLimits(partial: Partial<RiskLimits>, actor: string): RiskLimits {
    const next = mergeLimits(this.currentLimits, partial);
    const before = this.currentLimits;
    const ts = this.clock.now();
    this.persistence.atomically(() => {
      this.persistence.saveLimits(next, ts);
      this.persistence.audit({ ts, actor, action: 'risk.limits', before, after: next });
    });
    this.currentLimits = next;
    this.emit({ kind: 'limits', before, after: next, actor, ts });
    return next;
  }

  /** A watchdog wired to this engine's kill switch; the silence limit is read live from the limits. */
  watchdog(clock: Clock = this.clock): Watchdog {
    return new Watchdog(
      clock,
      () => this.currentLimits.watchdogSilenceMs,
      (stream, silentMs) => this.killSwitch.engage({ reason: `watchdog: ${stream} silent for ${silentMs} ms`, actor: 'watchdog' }),
    );
  }

  /** Cheap: one single-row read. The host calls it on a ~250 ms timer to see `keel kill` from another process. */
  refreshLatch(): void {
    this.killSwitch.refreshLatch();
  }

  snapshot(account: Account): RiskState {
    const equity = account.equity();
    const l = this.currentLimits;
    const s = this.latch.current;
    const exposureCap = (l.maxExposurePct / 100) * equity;
    const exposure = account.grossExposure();
    const dailyLossPct = this.breakers.dailyLossPct(equity);
    const dto: RiskState = {
      // The latch may still say ACTIVE under an engaged switch (it is a separate flag); the UI must not.
      tradingState: s.killEngaged ? 'HALTED' : s.tradingState,
      killSwitch: { engaged: s.killEngaged, ...(s.killSince !== undefined && { since: s.killSince }), ...(s.killReason !== undefined && { reason: s.killReason }) },
      limits: { ...l },
      gauges: {
        dailyLossUsedPct: l.maxDailyLossPct > 0 ? (dailyLossPct / l.maxDailyLossPct) * 100 : dailyLossPct > 0 ? 100 : 0,
        dailyLossPct,
        // With no equity left any exposure is the whole allowance: shown as 100 rather than a non-JSON Infinity.
        exposureUsedPct: exposureCap > 0 ? (exposure / exposureCap) * 100 : exposure > 0 ? 100 : 0,
        exposure,
        exposureLimit: Math.max(0, exposureCap),
        equity,
        openPositions: account.openPositions().length,
        drawdownPct: this.breakers.drawdownPct(equity),
        ...(this.breakers.startOfDayEquity !== undefined && { dayStartEquity: this.breakers.startOfDayEquity }),
      },
    };
    if (this.lastDenial) dto.lastDenial = this.lastDenial;
    return dto;
  }

  /**
   * A denial made in front of this engine (a ledger's own limit, a paused strategy): recorded
   * like its own, so there is one trail of refused orders and one 'last denial'.
   */
  deny(request: OrderRequest, check: string, reason: string, ts: number): { ok: false; check: string; reason: string } {
    this.recordDenial(request, check, reason, ts);
    return { ok: false, check, reason };
  }

  private recordDenial(request: OrderRequest, check: string, reason: string, ts: number): void {
    this.lastDenial = { check, reason, ts };
    const actor = request?.owner ?? (request?.source === undefined || request.source === 'manual' ? 'ticket' : request.source);
    this.persistence.audit({ ts, actor, action: 'risk.denied', before: undefined, after: { check, reason, request } });
    this.emit({ kind: 'denied', request, check, reason, ts });
  }
}
