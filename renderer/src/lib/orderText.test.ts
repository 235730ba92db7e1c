import { describe, expect, it } from 'vitest';
import { denialText, orderEventText, orderText } from './orderText';

describe('denials read as sentences', () => {
  it('names what stopped the order and groups its numbers', () => {
    expect(denialText('price_collar', 'price 25000 is 8.23% from the reference price 23100.5 (collar 5%)')).toBe(
      'Price too far from the market: price 25,000 is 8.23% from the reference price 23,100.5 (collar 5%).',
    );
    expect(denialText('stale_price', 'reference price for BTC/USDT is 900000 ms old (limit 5000 ms)')).toBe('No fresh price: reference price for BTC/USDT is 900,000 ms old (limit 5,000 ms).');
  });

  it('reads an unknown check as words, and leaves years and ids alone', () => {
    expect(denialText('some_new_rule', 'since 2023 order o-12345 was held.')).toBe('Some new rule: since 2023 order o-12345 was held.');
  });
});

describe('order texts', () => {
  const o = { side: 'buy' as const, type: 'limit' as const, qty: 0.01, symbol: 'BTC/USDT', price: 21500, stopPrice: undefined };
  it('says the order in one line', () => {
    expect(orderText(o)).toBe('Buy limit 0.01 BTC/USDT @ 21,500.00');
    expect(orderText({ ...o, side: 'sell', type: 'stop', price: undefined, stopPrice: 20000 })).toBe('Sell stop 0.01 BTC/USDT stop 20,000.00');
  });
  it('answers a change confirmed or refused, nothing else', () => {
    const order = { ...o, id: 'o1' } as never;
    expect(orderEventText({ kind: 'modified', order, ts: 1 })).toBe('Modified at the venue: Buy limit 0.01 BTC/USDT @ 21,500.00');
    expect(orderEventText({ kind: 'modify_rejected', order, reason: 'gone', ts: 1 })).toBe('Change refused for Buy limit 0.01 BTC/USDT @ 21,500.00: gone');
    expect(orderEventText({ kind: 'accepted', order, ts: 1 })).toBeUndefined();
  });
});
