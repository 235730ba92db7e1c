import { ExchangeClient, type ClientSpec } from './client';

/**
 * One ccxt instance per exchange, API URL and key: downloads, streams and (later) orders of
 * the same exchange share it, so its markets load once, its rate limiter sees every request
 * and its websockets carry every subscription. Pieces never close a shared client; they
 * unsubscribe what they watched. The hub closes them all at the end.
 */
export class ExchangeHub {
  private readonly clients = new Map<string, Promise<ExchangeClient>>();

  client(spec: ClientSpec): Promise<ExchangeClient> {
    const key = [spec.exchange.trim().toLowerCase(), spec.apiUrl ?? '', spec.rateLimitMs ?? '', spec.timeoutMs ?? '', spec.credentials?.apiKey ?? '', spec.sandbox ? 'sandbox' : ''].join('|');
    let c = this.clients.get(key);
    if (!c) {
      c = ExchangeClient.create(spec);
      this.clients.set(key, c);
      // A spec that cannot make a client (an unknown exchange) is not kept.
      c.catch(() => this.clients.get(key) === c && this.clients.delete(key));
    }
    return c;
  }

  get size(): number {
    return this.clients.size;
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(all.map(async (c) => (await c).close()));
  }
}
