import type Database from 'better-sqlite3';
import { KeelError } from '../core/errors';
import type { Fill } from '../model/fill';
import { isWorking, type OrderSnapshot, type OrderStatus } from '../model/order';
import { Position } from '../model/position';
import type { BacktestRun, BacktestRunSummary } from '../model/backtest-run';
import type { TradingState } from '../model/risk-state';
import type { AuditRecord, LatchedRiskState } from '../risk/persistence';
import { openStateDb, type StateDb } from './db';

export interface StoredPosition {
  account: string;
  symbol: string;
  qty: number;
  avgPrice: number;
  realizedPnl: number;
  fees: number;
  openedAt: number | undefined;
  updatedAt: number;
}

export interface JournalEntry {
  id: number;
  ts: number;
  kind: string;
  payload: unknown;
}


const ORDER_COLUMNS = [
  ['id', 'id'],
  ['client_order_id', 'clientOrderId'],
  ['venue_order_id', 'venueOrderId'],
  ['symbol', 'symbol'],
  ['side', 'side'],
  ['type', 'type'],
  ['qty', 'qty'],
  ['quote_qty', 'quoteQty'],
  ['price', 'price'],
  ['stop_price', 'stopPrice'],
  ['trailing_percent', 'trailingPercent'],
  ['trailing_amount', 'trailingAmount'],
  ['tif', 'tif'],
  ['reduce_only', 'reduceOnly'],
  ['source', 'source'],
  ['owner', 'owner'],
  ['tag', 'tag'],
  ['parent_id', 'parentId'],
  ['oco_group', 'ocoGroup'],
  ['status', 'status'],
  ['filled_qty', 'filledQty'],
  ['avg_fill_price', 'avgFillPrice'],
  ['fees', 'fees'],
  ['reason', 'reason'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
] as const satisfies ReadonlyArray<readonly [string, keyof OrderSnapshot]>;

type Row = Record<string, unknown>;

const nullable = (v: unknown) => (v === undefined ? null : v);
const optional = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
const FILL_EPSILON = 1e-12;

function sqliteCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** SQLite constraint failures become KeelErrors that say what was refused and where. */
function asKeelError(e: unknown, where: string): unknown {
  if (e instanceof KeelError) return e;
  const code = sqliteCode(e);
  const msg = (e as Error).message;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return new KeelError('CONFLICT', `already recorded (${msg})`, { where, cause: e });
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new KeelError('NOT_FOUND', `refers to something not recorded (${msg})`, { where, cause: e });
  if (code?.startsWith('SQLITE_CONSTRAINT')) return new KeelError('BAD_INPUT', `refused by the state database (${msg})`, { where, cause: e });
  return e;
}

function orderFromRow(r: Row): OrderSnapshot {
  const o: Record<string, unknown> = {};
  for (const [col, field] of ORDER_COLUMNS) o[field] = optional(r[col] as unknown);
  o.reduceOnly = r.reduce_only === 1;
  return o as unknown as OrderSnapshot;
}

function fillFromRow(r: Row): Fill {
  const f: Fill = {
    id: r.id as string,
    orderId: r.order_id as string,
    clientOrderId: r.client_order_id as string,
    symbol: r.symbol as string,
    side: r.side as Fill['side'],
    qty: r.qty as number,
    price: r.price as number,
    fee: r.fee as number,
    liquidity: r.liquidity as Fill['liquidity'],
    ts: r.ts as number,
  };
  if (r.venue_trade_id !== null) f.venueTradeId = r.venue_trade_id as string;
  return f;
}

function positionFromRow(r: Row): StoredPosition {
  return {
    account: r.account as string,
    symbol: r.symbol as string,
    qty: r.qty as number,
    avgPrice: r.avg_price as number,
    realizedPnl: r.realized_pnl as number,
    fees: r.fees as number,
    openedAt: optional(r.opened_at as number | null),
    updatedAt: r.updated_at as number,
  };
}

function validFill(f: Fill): void {
  const where = `fill ${String(f?.id)}`;
  if (typeof f?.id !== 'string' || f.id === '') throw new KeelError('BAD_INPUT', 'fill id must be a non-empty string', { where });
  if (typeof f.orderId !== 'string' || f.orderId === '') throw new KeelError('BAD_INPUT', 'orderId must be a non-empty string', { where });
  if (!(Number.isFinite(f.qty) && f.qty > 0)) throw new KeelError('BAD_INPUT', `qty must be a positive number, got ${f.qty}`, { where });
  if (!(Number.isFinite(f.price) && f.price > 0)) throw new KeelError('BAD_INPUT', `price must be a positive number, got ${f.price}`, { where });
  if (!(Number.isFinite(f.fee) && f.fee >= 0)) throw new KeelError('BAD_INPUT', `fee must be a number >= 0, got ${f.fee}`, { where });
  if (!Number.isFinite(f.ts)) throw new KeelError('BAD_INPUT', `ts must be a number, got ${f.ts}`, { where });
}

/**
 * The engine's durable state: orders, fills and the positions they add up to, the
 * append-only journal and audit trail, settings, and the risk latch. Positions are stored
 * (not only derived) so that start-up does not replay history, and are written in the same
 * transaction as the fill that moved them: a position can never disagree with its fills.
 */
export class StateStore {
  private readonly upsertOrder: Database.Statement;
  private readonly selectOrder: Database.Statement;
  private readonly insertFill: Database.Statement;
  private readonly fillSums: Database.Statement;
  private readonly updateOrderFills: Database.Statement;
  private readonly selectPosition: Database.Statement;
  private readonly upsertPosition: Database.Statement;
  private readonly insertJournal: Database.Statement;
  private readonly insertAudit: Database.Statement;
  private readonly selectRisk: Database.Statement;
  private readonly updateRisk: Database.Statement;
  private readonly selectDay: Database.Statement;
  private readonly insertDay: Database.Statement;
  private readonly selectSetting: Database.Statement;
  private readonly upsertSetting: Database.Statement;
  private readonly recordFillTx: (fill: Fill) => OrderSnapshot;
  private readonly saveOrderTx: (o: OrderSnapshot) => void;

  constructor(readonly db: StateDb, readonly account = 'default') {
    const cols = ORDER_COLUMNS.map(([c]) => c);
    this.upsertOrder = db.prepare(
      `INSERT INTO orders (account, ${cols.join(', ')}) VALUES (@account, ${cols.map((c) => '@' + c).join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${cols.filter((c) => c !== 'id' && c !== 'created_at').map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    this.selectOrder = db.prepare('SELECT * FROM orders WHERE id = ?');
    this.insertFill = db.prepare(
      `INSERT INTO fills (id, order_id, client_order_id, symbol, side, qty, price, fee, liquidity, ts, venue_trade_id)
       VALUES (@id, @orderId, @clientOrderId, @symbol, @side, @qty, @price, @fee, @liquidity, @ts, @venueTradeId)`,
    );
    this.fillSums = db.prepare('SELECT SUM(qty) AS q, SUM(qty * price) AS n, SUM(fee) AS f FROM fills WHERE order_id = ?');
    this.updateOrderFills = db.prepare(
      'UPDATE orders SET qty = @qty, filled_qty = @filled, avg_fill_price = @avg, fees = @fees, status = @status, updated_at = MAX(updated_at, @ts) WHERE id = @id',
    );
    this.selectPosition = db.prepare('SELECT * FROM positions WHERE account = ? AND symbol = ?');
    this.upsertPosition = db.prepare(
      `INSERT INTO positions (account, symbol, qty, avg_price, realized_pnl, fees, opened_at, updated_at)
       VALUES (@account, @symbol, @qty, @avgPrice, @realizedPnl, @fees, @openedAt, @updatedAt)
       ON CONFLICT (account, symbol) DO UPDATE SET qty = excluded.qty, avg_price = excluded.avg_price, realized_pnl = excluded.realized_pnl,
         fees = excluded.fees, opened_at = excluded.opened_at, updated_at = excluded.updated_at`,
    );
    this.insertJournal = db.prepare('INSERT INTO journal (ts, kind, payload) VALUES (?, ?, ?)');
    this.insertAudit = db.prepare('INSERT INTO audit (ts, actor, action, before, after) VALUES (?, ?, ?, ?, ?)');
    this.selectRisk = db.prepare('SELECT * FROM risk_state WHERE id = 1');
    this.updateRisk = db.prepare(
      `UPDATE risk_state SET kill_engaged = ?, kill_since = ?, kill_reason = ?, kill_flatten = ?, trading_state = ?, trading_reason = ?,
         trading_since = ?, peak_equity = ?, updated_at = ? WHERE id = 1`,
    );
    this.selectDay = db.prepare('SELECT start_equity FROM risk_day_equity WHERE day_key = ?');
    this.insertDay = db.prepare('INSERT OR IGNORE INTO risk_day_equity (day_key, start_equity, recorded_at) VALUES (?, ?, ?)');
    this.selectSetting = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.upsertSetting = db.prepare(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    const fillTx = db.transaction((fill: Fill) => this.applyFillRows(fill));
    // IMMEDIATE: these read then write, and another process (`keel kill`) may write in between;
    // a deferred transaction would then fail with SQLITE_BUSY_SNAPSHOT instead of waiting.
    this.recordFillTx = (fill) => fillTx.immediate(fill);
    const orderTx = db.transaction((o: OrderSnapshot) => {
      const row: Row = { account: this.account };
      for (const [col, field] of ORDER_COLUMNS) row[col] = nullable(o[field]);
      row.reduce_only = o.reduceOnly ? 1 : 0;
      this.upsertOrder.run(row);
      this.insertJournal.run(o.updatedAt, 'order', JSON.stringify(o));
    });
    this.saveOrderTx = (o) => orderTx.immediate(o);
  }

  static open(file: string, account?: string): StateStore {
    return new StateStore(openStateDb(file), account);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---------- orders and fills ----------

  saveOrder(o: OrderSnapshot): void {
    const where = `order ${String(o?.id)}`;
    if (typeof o?.id !== 'string' || o.id === '' || typeof o.clientOrderId !== 'string' || o.clientOrderId === '') {
      throw new KeelError('BAD_INPUT', 'an order needs a non-empty id and clientOrderId', { where });
    }
    if (!Number.isFinite(o.qty) || !Number.isFinite(o.filledQty) || !Number.isFinite(o.createdAt) || !Number.isFinite(o.updatedAt)) {
      throw new KeelError('BAD_INPUT', 'qty, filledQty, createdAt and updatedAt must be numbers', { where });
    }
    try {
      this.saveOrderTx(o);
    } catch (e) {
      throw asKeelError(e, where);
    }
  }

  /**
   * Records a fill, its order's filled quantity, average price and fees (summed from the
   * order's fills, so the order manager may save the order before or after the fill), and the
   * position, in one transaction. Anything wrong rolls all of it back.
   */
  recordFill(fill: Fill): OrderSnapshot {
    validFill(fill);
    try {
      return this.recordFillTx(fill);
    } catch (e) {
      throw asKeelError(e, `fill ${fill.id}`);
    }
  }

  private applyFillRows(fill: Fill): OrderSnapshot {
    const where = `fill ${fill.id}`;
    const orderRow = this.selectOrder.get(fill.orderId) as Row | undefined;
    if (!orderRow) throw new KeelError('NOT_FOUND', `order ${fill.orderId} is not recorded; an order is saved before it can fill`, { where });
    const order = orderFromRow(orderRow);
    if (order.symbol !== fill.symbol || order.side !== fill.side) {
      throw new KeelError('BAD_INPUT', `fill is ${fill.side} ${fill.symbol} but order ${order.id} is ${order.side} ${order.symbol}`, { where });
    }
    this.insertFill.run({ ...fill, clientOrderId: fill.clientOrderId ?? order.clientOrderId, venueTradeId: nullable(fill.venueTradeId) });
    const sums = this.fillSums.get(fill.orderId) as { q: number; n: number; f: number };
    const qty = order.qty > 0 ? order.qty : sums.q;
    if (sums.q > qty * (1 + 1e-9)) {
      throw new KeelError('BAD_INPUT', `fill of ${fill.qty} overfills order ${order.id} (${sums.q - fill.qty} of ${qty} already filled)`, { where });
    }
    const done = qty - sums.q <= qty * FILL_EPSILON;
    const status: OrderStatus = isWorking(order.status) || order.status === 'new' ? (done ? 'filled' : 'partially_filled') : order.status;
    this.updateOrderFills.run({ id: order.id, qty, filled: done ? qty : sums.q, avg: sums.n / sums.q, fees: sums.f, status, ts: fill.ts });

    const pos = this.loadPosition(fill.symbol);
    pos.apply(fill);
    this.upsertPosition.run({
      account: this.account,
      symbol: fill.symbol,
      qty: pos.qty,
      avgPrice: pos.avgPrice,
      realizedPnl: pos.realizedPnl,
      fees: pos.fees,
      openedAt: nullable(pos.openedAt),
      updatedAt: pos.updatedAt,
    });
    this.insertJournal.run(fill.ts, 'fill', JSON.stringify(fill));
    return orderFromRow(this.selectOrder.get(fill.orderId) as Row);
  }

  private loadPosition(symbol: string): Position {
    const p = new Position(symbol);
    const r = this.selectPosition.get(this.account, symbol) as Row | undefined;
    if (r) {
      const s = positionFromRow(r);
      p.qty = s.qty;
      p.avgPrice = s.avgPrice;
      p.realizedPnl = s.realizedPnl;
      p.fees = s.fees;
      p.openedAt = s.openedAt;
      p.updatedAt = s.updatedAt;
    }
    return p;
  }

  order(id: string): OrderSnapshot | undefined {
    const r = this.selectOrder.get(id) as Row | undefined;
    return r ? orderFromRow(r) : undefined;
  }

  orders(scope: 'working' | 'all' = 'all'): OrderSnapshot[] {
    const sql =
      scope === 'working'
        ? "SELECT * FROM orders WHERE account = ? AND status IN ('new', 'submitted', 'accepted', 'partially_filled') ORDER BY created_at, id"
        : 'SELECT * FROM orders WHERE account = ? ORDER BY created_at, id';
    return (this.db.prepare(sql).all(this.account) as Row[]).map(orderFromRow);
  }

  fills(orderId?: string): Fill[] {
    const rows = orderId
      ? this.db.prepare('SELECT * FROM fills WHERE order_id = ? ORDER BY ts, rowid').all(orderId)
      : this.db.prepare('SELECT f.* FROM fills f JOIN orders o ON o.id = f.order_id WHERE o.account = ? ORDER BY f.ts, f.rowid').all(this.account);
    return (rows as Row[]).map(fillFromRow);
  }

  positions(): StoredPosition[] {
    return (this.db.prepare('SELECT * FROM positions WHERE account = ? ORDER BY symbol').all(this.account) as Row[]).map(positionFromRow);
  }

  /** Signed quantity per symbol summed straight from the fills: what positions must equal. */
  netFilledQty(): Map<string, number> {
    const rows = this.db
      .prepare(
        `SELECT f.symbol AS symbol, SUM(CASE f.side WHEN 'buy' THEN f.qty ELSE -f.qty END) AS q
         FROM fills f JOIN orders o ON o.id = f.order_id WHERE o.account = ? GROUP BY f.symbol`,
      )
      .all(this.account) as Array<{ symbol: string; q: number }>;
    return new Map(rows.map((r) => [r.symbol, r.q]));
  }

  // ---------- journal, audit, settings ----------

  appendJournal(ts: number, kind: string, payload: unknown): void {
    this.insertJournal.run(ts, kind, JSON.stringify(payload ?? null));
  }

  journal(limit = 1_000): JournalEntry[] {
    const rows = this.db.prepare('SELECT * FROM (SELECT * FROM journal ORDER BY id DESC LIMIT ?) ORDER BY id').all(limit) as Row[];
    return rows.map((r) => ({ id: r.id as number, ts: r.ts as number, kind: r.kind as string, payload: JSON.parse(r.payload as string) }));
  }

  appendAudit(e: AuditRecord): void {
    this.insertAudit.run(e.ts, e.actor, e.action, e.before === undefined ? null : JSON.stringify(e.before), e.after === undefined ? null : JSON.stringify(e.after));
  }

  audit(limit = 1_000): AuditRecord[] {
    const rows = this.db.prepare('SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id').all(limit) as Row[];
    return rows.map((r) => ({
      ts: r.ts as number,
      actor: r.actor as string,
      action: r.action as string,
      before: r.before === null ? undefined : JSON.parse(r.before as string),
      after: r.after === null ? undefined : JSON.parse(r.after as string),
    }));
  }

  setting(key: string): unknown {
    const r = this.selectSetting.get(key) as { value: string } | undefined;
    return r ? JSON.parse(r.value) : undefined;
  }

  setSetting(key: string, value: unknown, ts: number): void {
    this.upsertSetting.run(key, JSON.stringify(value), ts);
  }

  /** Runs `fn` in one IMMEDIATE transaction (nested calls become savepoints of the outer one). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ---------- backtest runs ----------

  /** Keeps a finished run (summary and result as JSON) so the list of past runs survives a restart. */
  saveBacktestRun(run: BacktestRun): void {
    if (run.status === 'running') throw new KeelError('BAD_INPUT', `backtest ${run.runId} is still running`, { where: 'backtest run' });
    const { equity, trades, notes, ...summary } = run;
    this.db
      .prepare('INSERT INTO backtest_runs (run_id, started_at, status, summary, result) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, summary = excluded.summary, result = excluded.result')
      .run(run.runId, run.startedAt, run.status, JSON.stringify(summary), JSON.stringify({ equity, trades, notes }));
  }

  /** The newest `limit` runs' summaries, newest first. */
  backtestRuns(limit = 50): BacktestRunSummary[] {
    const rows = this.db.prepare('SELECT summary FROM backtest_runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit) as { summary: string }[];
    return rows.map((r) => JSON.parse(r.summary) as BacktestRunSummary);
  }

  backtestRun(runId: string): BacktestRun | undefined {
    const r = this.db.prepare('SELECT summary, result FROM backtest_runs WHERE run_id = ?').get(runId) as { summary: string; result: string } | undefined;
    return r ? { ...(JSON.parse(r.summary) as BacktestRunSummary), ...(JSON.parse(r.result) as Pick<BacktestRun, 'equity' | 'trades' | 'notes'>) } : undefined;
  }

  /** Drops all but the newest `keep` runs. */
  pruneBacktestRuns(keep: number): void {
    this.db.prepare('DELETE FROM backtest_runs WHERE run_id NOT IN (SELECT run_id FROM backtest_runs ORDER BY started_at DESC, rowid DESC LIMIT ?)').run(keep);
  }

  // ---------- risk latch ----------

  riskState(): LatchedRiskState {
    const r = this.selectRisk.get() as Row;
    return {
      killEngaged: r.kill_engaged === 1,
      killSince: optional(r.kill_since as number | null),
      killReason: optional(r.kill_reason as string | null),
      killFlatten: r.kill_flatten === 1,
      tradingState: r.trading_state as TradingState,
      tradingReason: optional(r.trading_reason as string | null),
      tradingSince: optional(r.trading_since as number | null),
      peakEquity: optional(r.peak_equity as number | null),
    };
  }

  writeRiskState(s: LatchedRiskState, ts: number): void {
    this.updateRisk.run(
        s.killEngaged ? 1 : 0,
        nullable(s.killSince),
        nullable(s.killReason),
        s.killFlatten ? 1 : 0,
        s.tradingState,
        nullable(s.tradingReason),
        nullable(s.tradingSince),
        nullable(s.peakEquity),
        ts,
      );
  }

  dayStartEquity(dayKey: string): number | undefined {
    const r = this.selectDay.get(dayKey) as { start_equity: number } | undefined;
    return r?.start_equity;
  }

  setDayStartEquity(dayKey: string, equity: number, ts: number): void {
    this.insertDay.run(dayKey, equity, ts);
  }
}
