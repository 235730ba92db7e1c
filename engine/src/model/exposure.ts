import { isWorking, type OrderSnapshot } from './order';
import type { StrategyInstanceView } from './ledger';
import type { PositionSnapshot } from './position';

/**
 * What the desk has at stake right now: open positions, working orders and running
 * strategies, on every ledger. An update restarts Keel, so it is installed only when all
 * three are empty (main asks the engine for this over the control channel before it
 * installs). `summary` says what is open in one sentence, for the dialog that tells the
 * trader why the update waits.
 */
export interface Exposure {
  clear: boolean;
  positions: { ledger: string; symbol: string; qty: number }[];
  workingOrders: { id: string; symbol: string; side: string; type: string; qty: number }[];
  strategies: { id: string; name: string; symbol: string; timeframe: string }[];
  summary: string;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function listed<T>(items: T[], show: (t: T) => string, max = 3): string {
  const head = items.slice(0, max).map(show).join(', ');
  return items.length > max ? `${head} and ${items.length - max} more` : head;
}

export function exposureOf(
  positions: readonly (PositionSnapshot & { ledger: string })[],
  orders: readonly OrderSnapshot[],
  strategies: readonly StrategyInstanceView[],
): Exposure {
  const open = positions.filter((p) => p.qty !== 0).map((p) => ({ ledger: p.ledger, symbol: p.symbol, qty: p.qty }));
  const working = orders.filter((o) => isWorking(o.status)).map((o) => ({ id: o.id, symbol: o.symbol, side: o.side, type: o.type, qty: o.qty }));
  // Paper or live: a restart interrupts a running strategy either way (it resumes after, but misses the bars in between).
  const running = strategies.filter((s) => s.state === 'running').map((s) => ({ id: s.id, name: s.name, symbol: s.symbol, timeframe: s.timeframe }));
  const parts: string[] = [];
  if (open.length) parts.push(`${count(open.length, 'position', 'positions')} open (${listed(open, (p) => `${p.symbol} ${p.qty} on ${p.ledger}`)})`);
  if (working.length) parts.push(`${count(working.length, 'order', 'orders')} working (${listed(working, (o) => `${o.side} ${o.type} ${o.qty} ${o.symbol}`)})`);
  if (running.length) parts.push(`${count(running.length, 'strategy', 'strategies')} running (${listed(running, (s) => `${s.name} on ${s.symbol} ${s.timeframe}`)})`);
  const clear = parts.length === 0;
  return { clear, positions: open, workingOrders: working, strategies: running, summary: clear ? 'nothing open' : parts.join('; ') };
}
