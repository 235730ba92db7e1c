import { describe, expect, it } from 'vitest';
import type { OrderSnapshot } from '../../../engine/protocol';
import { chartOrderChoices, linkedGroups, orderLines } from './ChartTrading';

const order = (o: Partial<OrderSnapshot>): OrderSnapshot => ({ id: 'o', symbol: 'BTC/USDT', side: 'buy', type: 'limit', qty: 1, filledQty: 0, status: 'accepted', ...o }) as OrderSnapshot;

describe('order lines on the chart', () => {
  it('a limit draws its price, a stop its stop, a stop-limit both', () => {
    const lines = orderLines([
      order({ id: 'a', type: 'limit', price: 100 }),
      order({ id: 'b', type: 'stop', stopPrice: 90 }),
      order({ id: 'c', type: 'stop_limit', price: 95, stopPrice: 96 }),
      order({ id: 'd', type: 'market' }),
    ]);
    expect(lines.map((l) => [l.id, l.price])).toEqual([
      ['a:price', 100],
      ['b:stopPrice', 90],
      ['c:price', 95],
      ['c:stopPrice', 96],
    ]);
  });

  it('links the legs of an OCO pair and of a bracket; a lone order is not linked', () => {
    const lines = orderLines([
      order({ id: 'tp', side: 'sell', type: 'limit', price: 110, ocoGroup: 'g1', parentId: 'e' }),
      order({ id: 'sl', side: 'sell', type: 'stop', stopPrice: 90, ocoGroup: 'g1', parentId: 'e' }),
      order({ id: 'x', type: 'limit', price: 100, parentId: 'p' }),
    ]);
    const groups = linkedGroups(lines);
    expect([...groups.keys()]).toEqual(['g1']);
    expect(groups.get('g1')!.map((l) => l.order.id)).toEqual(['tp', 'sl']);
  });

  it('offers limits where the price is to come and stops where it would break', () => {
    expect(chartOrderChoices(90, 100)).toEqual([
      { side: 'buy', type: 'limit' },
      { side: 'sell', type: 'stop' },
    ]);
    expect(chartOrderChoices(110, 100)).toEqual([
      { side: 'sell', type: 'limit' },
      { side: 'buy', type: 'stop' },
    ]);
    expect(chartOrderChoices(110, undefined)).toEqual([]);
  });
});
