import type Database from 'better-sqlite3';
import { KeelError } from '../core/errors';
import { PAPER_ACCOUNT, type ExchangeAccount } from '../model/exchange-account';
import type { Fill } from '../model/fill';
import { isWorking, type OrderSnapshot, type OrderStatus, type Side } from '../model/order';
import { Position } from '../model/position';
import type { BacktestRun, BacktestRunSummary } from '../model/backtest-run';
import type { TradingState } from '../model/risk-state';
import type { AuditRecord, LatchedRiskState } from '../risk/persistence';
import { openStateDb, type StateDb } from './db';

export interface StoredPosition {
  account: string;
  ledger: string;
  symbol: string;
  qty: number;
  avgPrice: number;
  realizedPnl: number;
  fees: number;
  openedAt: number | undefined;
  updatedAt: number;
}

export interface LedgerRow {
  id: string;
  kind: 'manual' | 'strategy';
  label: string;
  limits: Record<string, unknown>;
  createdAt: number;
  closedAt: number | undefined;
}

export interface TransferRow {
  id: number;
  ts: number;
  /** 'cash' moves `amount`; 'position' moves `qty` of `symbol` at `price` (amount = |qty| × price). */
  kind: 'cash' | 'position';
  from: string;
  to: string;
  amount: number;
  symbol: string | undefined;
  qty: number | undefined;
  price: number | undefined;
  actor: string;
  reason: string;
}

export interface StrategyInstanceRow {
  id: string;
  strategy: string;
  sourcePath: string | undefined;
  sourceHash: string;
  params: Record<string, number | boolean | string>;
  symbol: string;
  timeframe: string;
  ledger: string;
  allocation: number;
  state: 'running' | 'paused' | 'stopped' | 'failed';
  stateReason: string | undefined;
  warmup: number;
  firstBarTs: number | undefined;
  lastBarTs: number | undefined;
  savedState: unknown;
  createdAt: number;
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
  ['ledger', 'ledger'],
  ['replaces', 'replaces'],
  ['cancel_requested', 'cancelRequested'],
] as const satisfies ReadonlyArray<readonly [string, keyof OrderSnapshot]>;

type Row = Record<string, unknown>;

const nullable = (v: unknown) => (v === undefined ? null : v);
const optional = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
const FILL_EPSILON = 1e-12;
/** Journal rows per INSERT in a batch (3 parameters each, well under SQLite's limit). */
const JOURNAL_ROWS = 64;
/**
 * Orders per upsert in a batch: as many as fit in 999 parameters (SQLite's smallest limit).
 * A replay's journal upserts tens of thousands of orders, and each statement run costs its own
 * call and binding on top of SQLite's work.
 */
const ORDER_ROWS = Math.floor(999 / (ORDER_COLUMNS.length + 1));

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
  o.cancelRequested = r.cancel_requested === 1;
  return o as unknown as OrderSnapshot;
}

/** ORDER_COLUMNS' values of an order, in order, into `out` from `at`: SQLite keeps booleans as 0 and 1. */
function putOrderValues(o: OrderSnapshot, out: unknown[], at: number): void {
  for (let k = 0; k < ORDER_COLUMNS.length; k++) {
    const field = ORDER_COLUMNS[k]![1];
    out[at + k] = field === 'reduceOnly' || field === 'cancelRequested' ? (o[field] ? 1 : 0) : nullable(o[field]);
  }
}

/** An order as its row, for named parameters. */
function orderRow(o: OrderSnapshot, account: string): Row {
  const values: unknown[] = [];
  putOrderValues(o, values, 0);
  const row: Row = { account };
  ORDER_COLUMNS.forEach(([col], k) => (row[col] = values[k]));
  return row;
}

function accountFromRow(r: Row): ExchangeAccount {
  const a: ExchangeAccount = { name: r.name as string, exchange: r.exchange as string, testnet: r.testnet === 1, keyMasked: r.key_masked as string, createdAt: r.created_at as number };
  if (typeof r.api_url === 'string') a.apiUrl = r.api_url;
  if (r.can_withdraw === 0 || r.can_withdraw === 1) a.canWithdraw = r.can_withdraw === 1;
  if (typeof r.live_since === 'number') a.liveSince = r.live_since;
  return a;
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
  if (typeof r.ledger === 'string') f.ledger = r.ledger;
  if (typeof r.fee_asset === 'string') f.feeAsset = r.fee_asset;
  if (typeof r.fee_native === 'number') f.feeNative = r.fee_native;
  return f;
}

function positionFromRow(r: Row): StoredPosition {
  return {
    account: r.account as string,
    ledger: r.ledger as string,
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
  /** ORDER_ROWS orders at once, positional: account, then ORDER_COLUMNS. */
  private readonly upsertOrders: Database.Statement;
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

  constructor(readonly db: StateDb, readonly account = PAPER_ACCOUNT) {
    const cols = ORDER_COLUMNS.map(([c]) => c);
    const onConflict = `ON CONFLICT (id) DO UPDATE SET ${cols.filter((c) => c !== 'id' && c !== 'created_at').map((c) => `${c} = excluded.${c}`).join(', ')}`;
    this.upsertOrder = db.prepare(`INSERT INTO orders (account, ${cols.join(', ')}) VALUES (@account, ${cols.map((c) => '@' + c).join(', ')}) ${onConflict}`);
    const tuple = `(?, ${cols.map(() => '?').join(', ')})`;
    this.upsertOrders = db.prepare(`INSERT INTO orders (account, ${cols.join(', ')}) VALUES ${new Array(ORDER_ROWS).fill(tuple).join(', ')} ${onConflict}`);
    this.selectOrder = db.prepare('SELECT * FROM orders WHERE id = ?');
    this.insertFill = db.prepare(
      `INSERT INTO fills (id, order_id, client_order_id, symbol, side, qty, price, fee, liquidity, ts, venue_trade_id, fee_asset, fee_native)
       VALUES (@id, @orderId, @clientOrderId, @symbol, @side, @qty, @price, @fee, @liquidity, @ts, @venueTradeId, @feeAsset, @feeNative)`,
    );
    this.fillSums = db.prepare('SELECT SUM(qty) AS q, SUM(qty * price) AS n, SUM(fee) AS f FROM fills WHERE order_id = ?');
    this.updateOrderFills = db.prepare(
      'UPDATE orders SET qty = @qty, filled_qty = @filled, avg_fill_price = @avg, fees = @fees, status = @status, updated_at = MAX(updated_at, @ts) WHERE id = @id',
    );
    this.selectPosition = db.prepare('SELECT * FROM positions WHERE account = ? AND ledger = ? AND symbol = ?');
    this.upsertPosition = db.prepare(
      `INSERT INTO positions (account, ledger, symbol, qty, avg_price, realized_pnl, fees, opened_at, updated_at)
       VALUES (@account, @ledger, @symbol, @qty, @avgPrice, @realizedPnl, @fees, @openedAt, @updatedAt)
       ON CONFLICT (account, ledger, symbol) DO UPDATE SET qty = excluded.qty, avg_price = excluded.avg_price, realized_pnl = excluded.realized_pnl,
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
      this.upsertOrder.run(orderRow(o, this.account));
      this.insertJournal.run(o.updatedAt, 'order', JSON.stringify(o));
    });
    this.saveOrderTx = (o) => orderTx.immediate(o);
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, prepared once: queries on hot paths (a strategy's events) must not re-parse their SQL. */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  static open(file: string, account?: string): StateStore {
    return new StateStore(openStateDb(file), account);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---------- exchange accounts (metadata; their keys are in the OS keychain) ----------

  exchangeAccounts(): ExchangeAccount[] {
    return (this.stmt('SELECT * FROM exchange_accounts ORDER BY name').all() as Row[]).map(accountFromRow);
  }

  exchangeAccount(name: string): ExchangeAccount | undefined {
    const r = this.stmt('SELECT * FROM exchange_accounts WHERE name = ?').get(name) as Row | undefined;
    return r ? accountFromRow(r) : undefined;
  }

  /** Adds an account; CONFLICT when the name is taken. */
  addExchangeAccount(a: ExchangeAccount): void {
    try {
      this.stmt(
        'INSERT INTO exchange_accounts (name, exchange, testnet, api_url, key_masked, can_withdraw, live_since, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(a.name, a.exchange, a.testnet ? 1 : 0, nullable(a.apiUrl), a.keyMasked, a.canWithdraw === undefined ? null : a.canWithdraw ? 1 : 0, nullable(a.liveSince), a.createdAt);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new KeelError('CONFLICT', `an account named "${a.name}" exists already; remove it first or choose another name`, { where: 'name' });
      throw e;
    }
  }

  updateExchangeAccount(name: string, change: { canWithdraw?: boolean | null; liveSince?: number | null }): void {
    if (change.canWithdraw !== undefined) this.stmt('UPDATE exchange_accounts SET can_withdraw = ? WHERE name = ?').run(change.canWithdraw === null ? null : change.canWithdraw ? 1 : 0, name);
    if (change.liveSince !== undefined) this.stmt('UPDATE exchange_accounts SET live_since = ? WHERE name = ?').run(change.liveSince, name);
  }

  removeExchangeAccount(name: string): boolean {
    return this.stmt('DELETE FROM exchange_accounts WHERE name = ?').run(name).changes > 0;
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
    this.insertFill.run({ ...fill, clientOrderId: fill.clientOrderId ?? order.clientOrderId, venueTradeId: nullable(fill.venueTradeId), feeAsset: nullable(fill.feeAsset), feeNative: nullable(fill.feeNative) });
    const sums = this.fillSums.get(fill.orderId) as { q: number; n: number; f: number };
    const qty = order.qty > 0 ? order.qty : sums.q;
    if (sums.q > qty * (1 + 1e-9)) {
      throw new KeelError('BAD_INPUT', `fill of ${fill.qty} overfills order ${order.id} (${sums.q - fill.qty} of ${qty} already filled)`, { where });
    }
    const done = qty - sums.q <= qty * FILL_EPSILON;
    const status: OrderStatus = isWorking(order.status) || order.status === 'new' ? (done ? 'filled' : 'partially_filled') : order.status;
    this.updateOrderFills.run({ id: order.id, qty, filled: done ? qty : sums.q, avg: sums.n / sums.q, fees: sums.f, status, ts: fill.ts });

    const pos = this.loadPosition(order.ledger, fill.symbol);
    pos.apply(fill);
    this.upsertPosition.run({
      account: this.account,
      ledger: order.ledger,
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

  /**
   * Many orders' latest states and fills at once, in one transaction: what a replay's journal
   * writes at each commit. Each order is written once in its final state; each fill is
   * inserted and applied to its ledger's position in order, by the same Position rule as
   * recordFill; the journal gets every change in sequence. Fills must arrive with their ledger.
   */
  recordBatch(batch: { orders: readonly OrderSnapshot[]; fills: readonly Fill[]; journal: readonly { ts: number; kind: 'order' | 'fill'; payload: string }[] }): void {
    const tx = this.db.transaction(() => {
      const orders = batch.orders;
      let i = 0;
      if (orders.length >= ORDER_ROWS) {
        const width = ORDER_COLUMNS.length + 1;
        const args: unknown[] = new Array(ORDER_ROWS * width);
        for (; i + ORDER_ROWS <= orders.length; i += ORDER_ROWS) {
          for (let k = 0; k < ORDER_ROWS; k++) {
            args[k * width] = this.account;
            putOrderValues(orders[i + k]!, args, k * width + 1);
          }
          this.upsertOrders.run(args);
        }
      }
      for (; i < orders.length; i++) this.upsertOrder.run(orderRow(orders[i]!, this.account));
      const touched = new Map<string, { ledger: string; pos: Position }>();
      for (const f of batch.fills) {
        validFill(f);
        const ledger = f.ledger;
        if (ledger === undefined) throw new KeelError('BAD_INPUT', 'a batched fill must name its ledger', { where: `fill ${f.id}` });
        this.insertFill.run({ ...f, venueTradeId: nullable(f.venueTradeId), feeAsset: nullable(f.feeAsset), feeNative: nullable(f.feeNative) });
        const key = `${ledger}|${f.symbol}`;
        let t = touched.get(key);
        if (!t) {
          t = { ledger, pos: this.loadPosition(ledger, f.symbol) };
          touched.set(key, t);
        }
        t.pos.apply(f);
      }
      for (const { ledger, pos } of touched.values()) {
        this.upsertPosition.run({
          account: this.account,
          ledger,
          symbol: pos.symbol,
          qty: pos.qty,
          avgPrice: pos.avgPrice,
          realizedPnl: pos.realizedPnl,
          fees: pos.fees,
          openedAt: nullable(pos.openedAt),
          updatedAt: pos.updatedAt,
        });
      }
      // Journal rows go in many at a time: one statement per JOURNAL_ROWS rows.
      const rows = batch.journal;
      i = 0;
      if (rows.length >= JOURNAL_ROWS) {
        const many = this.stmt(`INSERT INTO journal (ts, kind, payload) VALUES ${new Array(JOURNAL_ROWS).fill('(?, ?, ?)').join(', ')}`);
        const args: unknown[] = new Array(JOURNAL_ROWS * 3);
        for (; i + JOURNAL_ROWS <= rows.length; i += JOURNAL_ROWS) {
          for (let k = 0; k < JOURNAL_ROWS; k++) {
            const j = rows[i + k]!;
            args[3 * k] = j.ts;
            args[3 * k + 1] = j.kind;
            args[3 * k + 2] = j.payload;
          }
          many.run(args);
        }
      }
      for (; i < rows.length; i++) this.insertJournal.run(rows[i]!.ts, rows[i]!.kind, rows[i]!.payload);
    });
    try {
      tx.immediate();
    } catch (e) {
      throw asKeelError(e, 'journal batch');
    }
  }

  private loadPosition(ledger: string, symbol: string): Position {
    const p = new Position(symbol);
    const r = this.selectPosition.get(this.account, ledger, symbol) as Row | undefined;
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
    return (this.stmt(sql).all(this.account) as Row[]).map(orderFromRow);
  }

  /** Fills in the order they happened (each with its order's ledger); of one order, or of one ledger. */
  fills(filter: string | { ledger: string } = { ledger: '' }): Fill[] {
    const rows =
      typeof filter === 'string'
        ? this.stmt('SELECT f.*, o.ledger AS ledger FROM fills f JOIN orders o ON o.id = f.order_id WHERE f.order_id = ? ORDER BY f.ts, f.rowid').all(filter)
        : filter.ledger === ''
          ? this.stmt('SELECT f.*, o.ledger AS ledger FROM fills f JOIN orders o ON o.id = f.order_id WHERE o.account = ? ORDER BY f.ts, f.rowid').all(this.account)
          : this.stmt('SELECT f.*, o.ledger AS ledger FROM fills f JOIN orders o ON o.id = f.order_id WHERE o.account = ? AND o.ledger = ? ORDER BY f.ts, f.rowid').all(this.account, filter.ledger);
    return (rows as Row[]).map(fillFromRow);
  }

  /** Stored positions, one row per ledger and symbol. */
  positions(ledger?: string): StoredPosition[] {
    const rows =
      ledger === undefined
        ? this.stmt('SELECT * FROM positions WHERE account = ? ORDER BY ledger, symbol').all(this.account)
        : this.stmt('SELECT * FROM positions WHERE account = ? AND ledger = ? ORDER BY symbol').all(this.account, ledger);
    return (rows as Row[]).map(positionFromRow);
  }

  /** Signed quantity per ledger and symbol (key `ledger|symbol`) summed straight from the fills: what positions must equal. */
  netFilledQty(): Map<string, number> {
    const rows = this.db
      .prepare(
        `SELECT o.ledger AS ledger, f.symbol AS symbol, SUM(CASE f.side WHEN 'buy' THEN f.qty ELSE -f.qty END) AS q
         FROM fills f JOIN orders o ON o.id = f.order_id WHERE o.account = ? GROUP BY o.ledger, f.symbol`,
      )
      .all(this.account) as Array<{ ledger: string; symbol: string; q: number }>;
    return new Map(rows.map((r) => [`${r.ledger}|${r.symbol}`, r.q]));
  }

  // ---------- journal, audit, settings ----------

  appendJournal(ts: number, kind: string, payload: unknown): void {
    this.insertJournal.run(ts, kind, JSON.stringify(payload ?? null));
  }

  journal(limit = 1_000): JournalEntry[] {
    const rows = this.stmt('SELECT * FROM (SELECT * FROM journal ORDER BY id DESC LIMIT ?) ORDER BY id').all(limit) as Row[];
    return rows.map((r) => ({ id: r.id as number, ts: r.ts as number, kind: r.kind as string, payload: JSON.parse(r.payload as string) }));
  }

  appendAudit(e: AuditRecord): void {
    this.insertAudit.run(e.ts, e.actor, e.action, e.before === undefined ? null : JSON.stringify(e.before), e.after === undefined ? null : JSON.stringify(e.after));
  }

  audit(limit = 1_000): AuditRecord[] {
    const rows = this.stmt('SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id').all(limit) as Row[];
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
    // Periods belong with the curve they come from, not in the summary the run list reads.
    const { equity, trades, notes, periods, ...summary } = run;
    this.db
      .prepare('INSERT INTO backtest_runs (run_id, started_at, status, summary, result) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, summary = excluded.summary, result = excluded.result')
      .run(run.runId, run.startedAt, run.status, JSON.stringify(summary), JSON.stringify({ equity, trades, notes, periods }));
  }

  /** The newest `limit` runs' summaries, newest first. */
  backtestRuns(limit = 50): BacktestRunSummary[] {
    const rows = this.stmt('SELECT summary FROM backtest_runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit) as { summary: string }[];
    return rows.map((r) => JSON.parse(r.summary) as BacktestRunSummary);
  }

  backtestRun(runId: string): BacktestRun | undefined {
    const r = this.stmt('SELECT summary, result FROM backtest_runs WHERE run_id = ?').get(runId) as { summary: string; result: string } | undefined;
    return r ? { ...(JSON.parse(r.summary) as BacktestRunSummary), ...(JSON.parse(r.result) as Pick<BacktestRun, 'equity' | 'trades' | 'notes' | 'periods'>) } : undefined;
  }

  /** Drops all but the newest `keep` runs. */
  pruneBacktestRuns(keep: number): void {
    this.stmt('DELETE FROM backtest_runs WHERE run_id NOT IN (SELECT run_id FROM backtest_runs ORDER BY started_at DESC, rowid DESC LIMIT ?)').run(keep);
  }

  // ---------- ledgers, transfers, strategy instances, equity history ----------

  ledgers(): LedgerRow[] {
    return (this.stmt('SELECT * FROM ledgers WHERE account = ? ORDER BY created_at, id').all(this.account) as Row[]).map((r) => ({
      id: r.id as string,
      kind: r.kind as LedgerRow['kind'],
      label: r.label as string,
      limits: JSON.parse(r.limits as string) as Record<string, unknown>,
      createdAt: r.created_at as number,
      closedAt: optional(r.closed_at as number | null),
    }));
  }

  saveLedger(l: LedgerRow): void {
    this.db
      .prepare(
        `INSERT INTO ledgers (id, kind, label, limits, created_at, closed_at, account) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET label = excluded.label, limits = excluded.limits, closed_at = excluded.closed_at`,
      )
      .run(l.id, l.kind, l.label, JSON.stringify(l.limits), l.createdAt, nullable(l.closedAt), this.account);
  }

  /** Cash or a position moved between ledgers; append-only, and what rebuilding a ledger replays beside its fills. */
  addTransfer(t: Omit<TransferRow, 'id'>): TransferRow {
    try {
      const r = this.db
        .prepare('INSERT INTO ledger_transfers (ts, kind, from_ledger, to_ledger, amount, symbol, qty, price, actor, reason, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(t.ts, t.kind, t.from, t.to, t.amount, nullable(t.symbol), nullable(t.qty), nullable(t.price), t.actor, t.reason, this.account);
      return { ...t, id: Number(r.lastInsertRowid) };
    } catch (e) {
      throw asKeelError(e, `transfer ${t.from} -> ${t.to}`);
    }
  }

  transfers(): TransferRow[] {
    return (this.stmt('SELECT * FROM ledger_transfers WHERE account = ? ORDER BY ts, id').all(this.account) as Row[]).map((r) => ({
      id: r.id as number,
      ts: r.ts as number,
      kind: r.kind as TransferRow['kind'],
      from: r.from_ledger as string,
      to: r.to_ledger as string,
      amount: r.amount as number,
      symbol: optional(r.symbol as string | null),
      qty: optional(r.qty as number | null),
      price: optional(r.price as number | null),
      actor: r.actor as string,
      reason: r.reason as string,
    }));
  }

  /** This account's strategies. */
  strategyInstances(): StrategyInstanceRow[] {
    return (this.stmt('SELECT * FROM strategy_instances WHERE account = ? ORDER BY created_at, id').all(this.account) as Row[]).map((r) => ({
      id: r.id as string,
      strategy: r.strategy as string,
      sourcePath: optional(r.source_path as string | null),
      sourceHash: r.source_hash as string,
      params: JSON.parse(r.params as string) as Record<string, number | boolean | string>,
      symbol: r.symbol as string,
      timeframe: r.timeframe as string,
      ledger: r.ledger as string,
      allocation: r.allocation as number,
      state: r.state as StrategyInstanceRow['state'],
      stateReason: optional(r.state_reason as string | null),
      warmup: r.warmup as number,
      firstBarTs: optional(r.first_bar_ts as number | null),
      lastBarTs: optional(r.last_bar_ts as number | null),
      savedState: r.saved_state === null ? undefined : (JSON.parse(r.saved_state as string) as unknown),
      createdAt: r.created_at as number,
      updatedAt: r.updated_at as number,
    }));
  }

  /**
   * Every account's strategy ids: an instance's id names its ledger, its logs and its signals,
   * so it is unique in the whole database, not only on its account.
   */
  strategyInstanceIds(): string[] {
    return (this.stmt('SELECT id FROM strategy_instances').all() as Row[]).map((r) => r.id as string);
  }

  saveStrategyInstance(i: StrategyInstanceRow): void {
    this.db
      .prepare(
        `INSERT INTO strategy_instances (id, strategy, source_path, source_hash, params, symbol, timeframe, ledger, allocation, state, state_reason, warmup,
           first_bar_ts, last_bar_ts, saved_state, created_at, updated_at, account)
         VALUES (@id, @strategy, @sourcePath, @sourceHash, @params, @symbol, @timeframe, @ledger, @allocation, @state, @stateReason, @warmup,
           @firstBarTs, @lastBarTs, @savedState, @createdAt, @updatedAt, @account)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, state_reason = excluded.state_reason, first_bar_ts = excluded.first_bar_ts,
           last_bar_ts = excluded.last_bar_ts, saved_state = excluded.saved_state, updated_at = excluded.updated_at`,
      )
      .run({
        ...i,
        sourcePath: nullable(i.sourcePath),
        params: JSON.stringify(i.params),
        stateReason: nullable(i.stateReason),
        firstBarTs: nullable(i.firstBarTs),
        lastBarTs: nullable(i.lastBarTs),
        savedState: i.savedState === undefined ? null : JSON.stringify(i.savedState),
        account: this.account,
      });
  }

  private readonly eventsSincePrune = new Map<string, number>();

  /** A strategy's log line; each instance keeps about its newest `keep` (pruned every `keep / 10` inserts). */
  addStrategyEvent(instance: string, ts: number, kind: string, message: string, keep = 2_000): void {
    this.stmt('INSERT INTO strategy_events (instance, ts, kind, message) VALUES (?, ?, ?, ?)').run(instance, ts, kind, message);
    const n = (this.eventsSincePrune.get(instance) ?? 0) + 1;
    this.eventsSincePrune.set(instance, n);
    if (n < Math.max(1, Math.floor(keep / 10))) return;
    this.eventsSincePrune.set(instance, 0);
    this.stmt('DELETE FROM strategy_events WHERE instance = ? AND id <= (SELECT id FROM strategy_events WHERE instance = ? ORDER BY id DESC LIMIT 1 OFFSET ?)').run(instance, instance, keep);
  }

  strategyEvents(instance: string, limit = 200): { ts: number; kind: string; message: string }[] {
    const rows = this.stmt('SELECT ts, kind, message FROM (SELECT * FROM strategy_events WHERE instance = ? ORDER BY id DESC LIMIT ?) ORDER BY id').all(instance, limit) as Row[];
    return rows.map((r) => ({ ts: r.ts as number, kind: r.kind as string, message: r.message as string }));
  }

  /** An order a strategy placed, at its bar's close: kept, like the order it became (the gap report compares them). */
  addStrategySignal(instance: string, s: { ts: number; at: number; side: Side; type: string; text: string }): void {
    this.stmt('INSERT INTO strategy_signals (instance, ts, at, side, type, text) VALUES (?, ?, ?, ?, ?, ?)').run(instance, s.ts, s.at, s.side, s.type, s.text);
  }

  /** A strategy's signals, oldest first; the newest `limit` when given. */
  strategySignals(instance: string, limit = Number.MAX_SAFE_INTEGER): { ts: number; at: number; side: Side; type: string; text: string }[] {
    const rows = this.stmt('SELECT ts, at, side, type, text FROM (SELECT * FROM strategy_signals WHERE instance = ? ORDER BY id DESC LIMIT ?) ORDER BY id').all(instance, limit) as Row[];
    return rows.map((r) => ({ ts: r.ts as number, at: r.at as number, side: r.side as Side, type: r.type as string, text: r.text as string }));
  }

  addEquityPoints(points: readonly { ledger: string; ts: number; equity: number }[]): void {
    const ins = this.stmt('INSERT OR REPLACE INTO equity_history (ledger, ts, equity) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const p of points) ins.run(p.ledger, p.ts, p.equity);
    })();
  }

  equityHistory(ledger: string, since = 0): { ts: number; equity: number }[] {
    return (this.stmt('SELECT ts, equity FROM equity_history WHERE ledger = ? AND ts >= ? ORDER BY ts').all(ledger, since) as Row[]).map((r) => ({
      ts: r.ts as number,
      equity: r.equity as number,
    }));
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
