import type { CheckInput, RiskCheck } from './types';

/** A token bucket: orderBurst orders at once, refilled at ordersPerSecond. Only accepted orders spend a token. */
export class OrderRateCheck implements RiskCheck {
  readonly id = 'order_rate';
  private tokens: number | undefined;
  private last = 0;

  private refill(c: CheckInput): number {
    const { ordersPerSecond, orderBurst } = c.limits;
    if (this.tokens === undefined) this.tokens = orderBurst;
    // A clock that steps back (a new backtest on the same engine) refills nothing.
    const elapsed = Math.max(0, c.now - this.last);
    this.tokens = Math.min(orderBurst, this.tokens + (elapsed * ordersPerSecond) / 1000);
    this.last = Math.max(this.last, c.now);
    return this.tokens;
  }

  run(c: CheckInput): string | undefined {
    return this.refill(c) < 1 ? `more than ${c.limits.ordersPerSecond} orders/s (burst ${c.limits.orderBurst})` : undefined;
  }

  accepted(): void {
    if (this.tokens !== undefined) this.tokens -= 1;
  }
}
