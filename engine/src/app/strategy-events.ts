import { Emitter, type Disposable } from '../core/emitter';

/** Something a running strategy reported: it started, stopped, failed, traded, or said something of its own. */
export interface StrategyEvent {
  /** The strategy's id (`sma-cross`). */
  strategy: string;
  /** The running instance, where one strategy runs more than once. */
  instance?: string;
  /** started, stopped, failed, order, fill, or a strategy's own word. */
  kind: string;
  message: string;
  ts: number;
}

/**
 * Where strategy events meet whoever watches them (alerts today). The strategy host publishes;
 * EngineApp owns the one instance and hands it to the wiring, so the host needs no reference
 * to the alerts.
 */
export class StrategyEvents {
  private readonly events = new Emitter<StrategyEvent>();

  on(listener: (e: StrategyEvent) => void): Disposable {
    return this.events.on(listener);
  }

  publish(e: StrategyEvent): void {
    this.events.emit(e);
  }
}
