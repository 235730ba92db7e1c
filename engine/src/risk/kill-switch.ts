import type { Clock } from '../core/clock';
import type { RiskLatch } from './latch';
import type { LatchedRiskState } from './persistence';

/** What the kill switch needs from the order manager, and nothing more. */
export interface OrderControl {
  /** Cancels every working order; returns how many were asked to cancel. */
  cancelAll(): number;
  /** Sends orders that take every position to flat (source 'risk', reduce-only). */
  flatten(): void;
}

export type KillEvent = { kind: 'kill'; engaged: boolean; reason: string | undefined; actor: string; cancelled: number; flattened: boolean; ts: number };

/**
 * Blocks every new order, cancels every working order and optionally flattens. Latched in
 * the state database until someone resets it by hand: a restart does not release it.
 */
export class KillSwitch {
  private control: OrderControl | undefined;

  constructor(
    private readonly latch: RiskLatch,
    private readonly clock: Clock,
    private readonly emit: (e: KillEvent) => void,
  ) {
    latch.onOutsideChange((prev, next) => this.onOutsideChange(prev, next));
  }

  /**
   * Connects the order manager. A latch already engaged (at start-up after a restart) sweeps
   * at once: orders may have been left working, and a flatten asked for while the engine was
   * down has not happened yet (flattening flat positions sends nothing, so repeating it is safe).
   */
  attach(control: OrderControl): void {
    this.control = control;
    const s = this.latch.current;
    if (s.killEngaged) this.act(s.killReason, 'latch', s.killFlatten, this.clock.now());
  }

  get engaged(): boolean {
    return this.latch.current.killEngaged;
  }

  engage(p: { reason?: string; flatten?: boolean; actor: string }): { cancelled: number } {
    const ts = this.clock.now();
    const reason = p.reason ?? 'manual';
    // Every engage is audited, even of an engaged switch: someone pressed it, and it sweeps again.
    this.latch.update(ts, (s) => {
      if (!s.killEngaged) {
        s.killEngaged = true;
        s.killSince = ts;
        s.killReason = reason;
      }
      s.killFlatten = s.killFlatten || p.flatten === true;
      return { actor: p.actor, action: 'kill.engage' };
    });
    return this.act(reason, p.actor, p.flatten === true, ts);
  }

  /** Cancels (always: a second engage is a second sweep) and flattens if asked. */
  private act(reason: string | undefined, actor: string, flatten: boolean, ts: number): { cancelled: number } {
    const cancelled = this.control?.cancelAll() ?? 0;
    if (flatten) this.control?.flatten();
    this.emit({ kind: 'kill', engaged: true, reason, actor, cancelled, flattened: flatten && this.control !== undefined, ts });
    return { cancelled };
  }

  reset(actor: string): boolean {
    const ts = this.clock.now();
    const changed = this.latch.update(ts, (s) => {
      if (!s.killEngaged) return undefined;
      s.killEngaged = false;
      s.killSince = undefined;
      s.killReason = undefined;
      s.killFlatten = false;
      return { actor, action: 'kill.reset' };
    });
    if (changed) this.emit({ kind: 'kill', engaged: false, reason: undefined, actor, cancelled: 0, flattened: false, ts });
    return changed;
  }

  /**
   * Called by the host every ~250 ms: picks up a latch set or reset by another process
   * (`keel kill`). The reaction itself is in onOutsideChange, which any read of the row triggers.
   */
  refreshLatch(): void {
    this.latch.refresh();
  }

  /** A latch newly engaged elsewhere cancels working orders here, and flattens if it asked to. */
  private onOutsideChange(prev: Readonly<LatchedRiskState>, next: Readonly<LatchedRiskState>): void {
    const newFlatten = next.killFlatten && !(prev.killEngaged && prev.killFlatten);
    if (next.killEngaged && (!prev.killEngaged || newFlatten)) this.act(next.killReason, 'latch', newFlatten, this.clock.now());
    else if (prev.killEngaged && !next.killEngaged) this.emit({ kind: 'kill', engaged: false, reason: undefined, actor: 'latch', cancelled: 0, flattened: false, ts: this.clock.now() });
  }
}
