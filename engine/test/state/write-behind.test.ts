import { describe, expect, it } from 'vitest';
import { KeelError } from '../../src/core/errors';
import type { Fill } from '../../src/model/fill';
import { Order } from '../../src/model/order';
import { BatchedOrderJournal } from '../../src/state/order-journal';
import { StateStore } from '../../src/state/store';
import { WriteBehindStore } from '../../src/state/write-behind';
import { tempDbFile } from './helpers';

const LEDGER = 'sma-1';

function fillOf(id: string, o: Order, qty: number, price: number, ts: number): Fill {
  return { id, orderId: o.id, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, qty, price, fee: 0.01, liquidity: 'taker', ts, ledger: LEDGER };
}

/** A replay's writes: per transaction some orders through their lives, their fills and the strategy's signals. */
function script(store: StateStore, transactions: number, firstOrder = 0): void {
  const journal = new BatchedOrderJournal(store);
  let n = firstOrder;
  for (let t = 0; t < transactions; t++) {
    store.transaction(() => {
      for (let k = 0; k < 5; k++) {
        const ts = 1_000 + n * 60_000;
        const o = new Order(`o${n}`, `c${n}`, { symbol: 'BTC/USDT', side: n % 2 === 0 ? 'buy' : 'sell', type: 'market', qty: 0.5, ledger: LEDGER }, ts);
        journal.orderChanged(o);
        o.transition('submitted', ts);
        o.transition('accepted', ts);
        journal.orderChanged(o);
        const f = fillOf(`f${n}`, o, 0.5, 100 + n, ts + 1);
        o.applyFill(f.qty, f.price, f.fee, f.ts);
        journal.orderChanged(o);
        journal.fillAdded(f);
        store.addStrategySignal(LEDGER, { ts, at: ts, side: o.side, type: 'market', text: `signal ${n}` });
        n++;
      }
      journal.flush();
    });
  }
}

function contents(file: string) {
  const s = StateStore.open(file);
  try {
    return { orders: s.orders('all'), fills: s.fills(), journal: s.journal(1e6), positions: s.positions(), signals: s.strategySignals(LEDGER) };
  } finally {
    s.close();
  }
}

describe('WriteBehindStore', () => {
  it('writes the same rows as the store itself, in the same order, one transaction at a time', async () => {
    const direct = tempDbFile();
    const s = StateStore.open(direct);
    script(s, 8);
    s.close();

    const behind = tempDbFile();
    const wb = new WriteBehindStore(behind);
    wb.deferWrites();
    script(wb.store, 8);
    await wb.finish();

    const want = contents(direct);
    expect(want.orders).toHaveLength(40);
    expect(want.journal).toHaveLength(160);
    expect(contents(behind)).toEqual(want);
  });

  it('a read through it sees every write made before it', async () => {
    const wb = new WriteBehindStore(tempDbFile());
    wb.deferWrites();
    script(wb.store, 3);
    expect(wb.store.orders('all').map((o) => o.id)).toHaveLength(15);
    expect(wb.store.strategySignals(LEDGER).at(-1)?.text).toBe('signal 14');
    await wb.finish();
  });

  it('a write the file refuses fails the run, and the file keeps every transaction before it and none after', async () => {
    const file = tempDbFile();
    const wb = new WriteBehindStore(file);
    wb.deferWrites();
    const store = wb.store;
    script(store, 2);
    // The journal refuses a payload that is not JSON (its CHECK): the transaction rolls back whole.
    const bad = () => store.transaction(() => {
      store.addStrategySignal(LEDGER, { ts: 1, at: 1, side: 'buy', type: 'market', text: 'in the refused transaction' });
      store.recordBatch({ orders: [], fills: [], journal: [{ ts: 1, kind: 'order', payload: 'not json' }] });
    });
    bad();
    let thrown: unknown;
    try {
      // Later transactions, good on their own: taken here, never written; the refusal surfaces at one of them or at finish.
      script(store, 2, 10);
      await wb.finish();
    } catch (e) {
      thrown = e;
    } finally {
      await wb.close();
    }
    expect(thrown).toBeInstanceOf(KeelError);
    const got = contents(file);
    expect(got.orders).toHaveLength(10);
    expect(got.journal).toHaveLength(40);
    expect(got.signals.map((x) => x.text)).not.toContain('in the refused transaction');
  });

  it('a writer thread that dies fails the run instead of leaving it waiting', async () => {
    const wb = new WriteBehindStore(tempDbFile());
    wb.deferWrites();
    script(wb.store, 3);
    await (wb as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(wb.finish()).rejects.toThrow(/journal writer thread/);
  });

  it('keeps a journal payload with a newline in it as written', async () => {
    const file = tempDbFile();
    const wb = new WriteBehindStore(file);
    wb.deferWrites();
    const payload = '{\n  "note": "pretty-printed"\n}';
    wb.store.transaction(() => wb.store.recordBatch({ orders: [], fills: [], journal: [{ ts: 5, kind: 'order', payload }, { ts: 6, kind: 'fill', payload: '{"b":2}' }] }));
    await wb.finish();
    expect(contents(file).journal.map((j) => [j.ts, j.kind, j.payload])).toEqual([
      [5, 'order', { note: 'pretty-printed' }],
      [6, 'fill', { b: 2 }],
    ]);
  });
});
