// The live desk killed with SIGKILL at each step of the order path (after PENDING is stored,
// after the send, after the acknowledgement, in the middle of a fill), then started again on
// the same home: it reconciles, and nothing is lost and nothing doubled.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';
import { instancePrefix } from '../../src/exchange/live/live-ids';
import { KEY, SECRET } from './live-rig';

const CHILD = join(import.meta.dirname, 'live-crash-child.ts');
let sim: ExchangeSimulator;
const dirs: string[] = [];
beforeAll(async () => {
  sim = await ExchangeSimulator.start({ historyBars: 200, tradesPerSecond: 20, rateLimit: false, keys: { [KEY]: SECRET }, seed: 3 });
});
afterAll(async () => {
  await sim?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(dir: string, tag: string, step: string, onSpawn?: (kill: () => void) => void): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, sim.url, dir, tag, step], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    onSpawn?.(() => child.kill('SIGKILL'));
    child.once('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

const STATUS: Record<string, string> = { FILLED: 'filled', CANCELED: 'cancelled', EXPIRED: 'expired', REJECTED: 'rejected', NEW: 'accepted', PARTIALLY_FILLED: 'partially_filled' };

describe('SIGKILL at each step of the live order path', () => {
  const cases = [
    { step: 'pending', tag: 'cr1', what: 'after PENDING is stored (never sent)' },
    { step: 'sent', tag: 'cr2', what: 'after the send (the exchange has it, the answer is lost)' },
    { step: 'acked', tag: 'cr3', what: 'after the acknowledgement' },
    { step: 'filled', tag: 'cr4', what: 'in the middle of a fill (after the first of several)' },
  ];
  for (const c of cases) {
    it(`${c.what}: restarted, reconciled, nothing lost, nothing doubled`, { timeout: 120_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), `keel-crash-${c.step}-`));
      dirs.push(dir);
      const prefix = instancePrefix(c.tag);
      let killAtSend: (() => void) | undefined;
      if (c.step === 'sent') {
        // The exchange takes the order in; the process is killed before its answer can arrive.
        sim.refuse = (path, params) => {
          if (path === '/api/v3/order' && params.side !== undefined && params.newClientOrderId?.startsWith(prefix)) killAtSend?.();
          return false;
        };
      }
      const crashed = await run(dir, c.tag, c.step, (kill) => (killAtSend = kill));
      sim.refuse = undefined;
      expect(crashed.signal, crashed.out).toBe('SIGKILL');
      expect(crashed.out).toContain('READY');

      const again = await run(dir, c.tag, 'none');
      expect(again.code, again.out).toBe(0);
      const journal = JSON.parse(/JOURNAL (.*)/.exec(again.out)![1]!) as {
        orders: { id: string; status: string; filledQty: number; reason?: string }[];
        fills: { id: string; orderId: string; qty: number; side: string; venueTradeId?: string }[];
        position: number;
        positionsTable: number;
      };
      const acct = sim.broker.account(KEY);
      const atExchange = [...acct.orders.values()].filter((o) => o.clientOrderId.startsWith(prefix));
      // Nothing doubled: one order in the journal, sent at most once.
      expect(journal.orders).toHaveLength(1);
      const order = journal.orders[0]!;
      expect(acct.clientIdsSeen.get(order.id) ?? 0).toBe(c.step === 'pending' ? 0 : 1);
      expect(atExchange.length).toBe(c.step === 'pending' ? 0 : 1);
      if (c.step === 'pending') {
        expect(order).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/never reached the exchange/) });
      } else {
        // Nothing lost: the journal says what the exchange says, fill for fill.
        const x = atExchange[0]!;
        expect([order.status, order.filledQty]).toEqual([STATUS[x.status], x.executedQty]);
        const trades = acct.trades.filter((t) => t.orderId === x.orderId);
        expect(journal.fills.map((f) => f.venueTradeId).sort()).toEqual(trades.map((t) => `BTC/USDT:${t.tradeId}`).sort());
        if (c.step === 'filled') expect(trades.length).toBeGreaterThan(1);
      }
      const sum = journal.fills.reduce((s, f) => s + (f.side === 'buy' ? f.qty : -f.qty), 0);
      expect(journal.position).toBeCloseTo(sum, 9);
      expect(journal.positionsTable).toBeCloseTo(sum, 9);
    });
  }
});
