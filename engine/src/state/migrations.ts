import type Database from 'better-sqlite3';
import { KeelError } from '../core/errors';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append-only tables refuse change at the database itself, so no code path can rewrite history. */
const appendOnly = (table: string) => `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;
`;

/** Numbered and never edited once released: a change to the schema is a new entry at the end. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'orders, fills, positions, journal, settings, audit, risk state',
    sql: `
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  client_order_id TEXT NOT NULL UNIQUE,
  venue_order_id TEXT,
  account TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  type TEXT NOT NULL CHECK (type IN ('market', 'limit', 'stop', 'stop_limit', 'trailing_stop')),
  qty REAL NOT NULL CHECK (qty >= 0),
  quote_qty REAL CHECK (quote_qty IS NULL OR quote_qty > 0),
  price REAL CHECK (price IS NULL OR price > 0),
  stop_price REAL CHECK (stop_price IS NULL OR stop_price > 0),
  trailing_percent REAL,
  trailing_amount REAL,
  tif TEXT NOT NULL CHECK (tif IN ('GTC', 'IOC', 'FOK', 'DAY')),
  reduce_only INTEGER NOT NULL CHECK (reduce_only IN (0, 1)),
  source TEXT NOT NULL,
  owner TEXT NOT NULL,
  tag TEXT,
  parent_id TEXT,
  oco_group TEXT,
  status TEXT NOT NULL CHECK (status IN ('new', 'submitted', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired')),
  filled_qty REAL NOT NULL CHECK (filled_qty >= 0),
  avg_fill_price REAL NOT NULL,
  fees REAL NOT NULL,
  reason TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX orders_status ON orders (status);

CREATE TABLE fills (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  client_order_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  qty REAL NOT NULL CHECK (qty > 0),
  price REAL NOT NULL CHECK (price > 0),
  fee REAL NOT NULL CHECK (fee >= 0),
  liquidity TEXT NOT NULL CHECK (liquidity IN ('maker', 'taker')),
  ts INTEGER NOT NULL,
  venue_trade_id TEXT
);
CREATE INDEX fills_order ON fills (order_id);
CREATE UNIQUE INDEX fills_venue_trade ON fills (venue_trade_id) WHERE venue_trade_id IS NOT NULL;

CREATE TABLE positions (
  account TEXT NOT NULL,
  symbol TEXT NOT NULL,
  qty REAL NOT NULL,
  avg_price REAL NOT NULL,
  realized_pnl REAL NOT NULL,
  fees REAL NOT NULL,
  opened_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account, symbol)
);

CREATE TABLE journal (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL CHECK (json_valid(payload))
);
${appendOnly('journal')}

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
);

CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  before TEXT CHECK (before IS NULL OR json_valid(before)),
  after TEXT CHECK (after IS NULL OR json_valid(after))
);
${appendOnly('audit')}

CREATE TABLE risk_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  kill_engaged INTEGER NOT NULL CHECK (kill_engaged IN (0, 1)),
  kill_since INTEGER,
  kill_reason TEXT,
  kill_flatten INTEGER NOT NULL CHECK (kill_flatten IN (0, 1)),
  trading_state TEXT NOT NULL CHECK (trading_state IN ('ACTIVE', 'REDUCING', 'HALTED')),
  trading_reason TEXT,
  trading_since INTEGER,
  peak_equity REAL,
  updated_at INTEGER NOT NULL
);
INSERT INTO risk_state (id, kill_engaged, kill_flatten, trading_state, updated_at) VALUES (1, 0, 0, 'ACTIVE', 0);

CREATE TABLE risk_day_equity (
  day_key TEXT PRIMARY KEY,
  start_equity REAL NOT NULL,
  recorded_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'backtest runs',
    sql: `
CREATE TABLE backtest_runs (
  run_id TEXT PRIMARY KEY,
  started_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('done', 'cancelled', 'failed')),
  summary TEXT NOT NULL CHECK (json_valid(summary)),
  result TEXT NOT NULL CHECK (json_valid(result))
);
CREATE INDEX backtest_runs_started ON backtest_runs (started_at);
`,
  },
  {
    version: 3,
    name: 'ledgers: orders, fills and positions per ledger; transfers; strategy instances; equity history',
    sql: `
ALTER TABLE orders ADD COLUMN ledger TEXT NOT NULL DEFAULT 'manual';
ALTER TABLE orders ADD COLUMN replaces TEXT;
CREATE INDEX orders_ledger ON orders (ledger);

CREATE TABLE positions_v3 (
  account TEXT NOT NULL,
  ledger TEXT NOT NULL,
  symbol TEXT NOT NULL,
  qty REAL NOT NULL,
  avg_price REAL NOT NULL,
  realized_pnl REAL NOT NULL,
  fees REAL NOT NULL,
  opened_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account, ledger, symbol)
);
INSERT INTO positions_v3 (account, ledger, symbol, qty, avg_price, realized_pnl, fees, opened_at, updated_at)
  SELECT account, 'manual', symbol, qty, avg_price, realized_pnl, fees, opened_at, updated_at FROM positions;
DROP TABLE positions;
ALTER TABLE positions_v3 RENAME TO positions;

CREATE TABLE ledgers (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('manual', 'strategy')),
  label TEXT NOT NULL,
  limits TEXT NOT NULL CHECK (json_valid(limits)),
  created_at INTEGER NOT NULL,
  closed_at INTEGER
);
INSERT INTO ledgers (id, kind, label, limits, created_at) VALUES ('manual', 'manual', 'Manual', '{}', 0);

CREATE TABLE ledger_transfers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('cash', 'position')),
  from_ledger TEXT NOT NULL,
  to_ledger TEXT NOT NULL,
  amount REAL NOT NULL,
  symbol TEXT,
  qty REAL,
  price REAL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  CHECK (from_ledger <> to_ledger),
  CHECK (kind = 'cash' AND amount > 0 OR kind = 'position' AND symbol IS NOT NULL AND qty <> 0 AND price > 0)
);
${appendOnly('ledger_transfers')}

CREATE TABLE strategy_instances (
  id TEXT PRIMARY KEY,
  strategy TEXT NOT NULL,
  source_path TEXT,
  source_hash TEXT NOT NULL,
  params TEXT NOT NULL CHECK (json_valid(params)),
  symbol TEXT NOT NULL,
  timeframe TEXT NOT NULL,
  ledger TEXT NOT NULL REFERENCES ledgers (id),
  allocation REAL NOT NULL CHECK (allocation > 0),
  state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'stopped', 'failed')),
  state_reason TEXT,
  warmup INTEGER NOT NULL,
  first_bar_ts INTEGER,
  last_bar_ts INTEGER,
  saved_state TEXT CHECK (saved_state IS NULL OR json_valid(saved_state)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE strategy_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance TEXT NOT NULL,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX strategy_events_instance ON strategy_events (instance, id);

CREATE TABLE strategy_signals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  instance TEXT NOT NULL,
  ts INTEGER NOT NULL,   -- the strategy's now (its bar's close): what a gap report lines up
  at INTEGER NOT NULL,   -- when the engine saw it (a replay's signal of an old bar, seen today)
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  type TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX strategy_signals_instance ON strategy_signals (instance, id);

CREATE TABLE equity_history (
  ledger TEXT NOT NULL,
  ts INTEGER NOT NULL,
  equity REAL NOT NULL,
  PRIMARY KEY (ledger, ts)
);
`,
  },
  {
    version: 4,
    name: 'chart workspace: drawings per symbol; alert rules and the log of alerts fired',
    sql: `
CREATE TABLE drawings (
  id TEXT PRIMARY KEY,
  symbol TEXT NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL CHECK (json_valid(data)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX drawings_symbol ON drawings (symbol);

CREATE TABLE alert_rules (
  id TEXT PRIMARY KEY,
  condition TEXT NOT NULL CHECK (json_valid(condition)),
  mode TEXT NOT NULL CHECK (mode IN ('once', 'every')),
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  note TEXT,
  created_at INTEGER NOT NULL,
  last_fired_at INTEGER,
  fired INTEGER NOT NULL DEFAULT 0 CHECK (fired >= 0)
);

CREATE TABLE alert_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rule_id TEXT,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX alert_log_ts ON alert_log (ts);
`,
  },
  {
    version: 5,
    name: 'live trading: exchange accounts; the asset and amount a venue charged as fee, per fill',
    sql: `
-- An account's metadata only: its key and secret are in the OS keychain under its name, never here.
CREATE TABLE exchange_accounts (
  name TEXT PRIMARY KEY,
  exchange TEXT NOT NULL,
  testnet INTEGER NOT NULL CHECK (testnet IN (0, 1)),
  api_url TEXT,
  key_masked TEXT NOT NULL,
  can_withdraw INTEGER CHECK (can_withdraw IS NULL OR can_withdraw IN (0, 1)),
  live_since INTEGER,
  created_at INTEGER NOT NULL
);

ALTER TABLE fills ADD COLUMN fee_asset TEXT;
ALTER TABLE fills ADD COLUMN fee_native REAL CHECK (fee_native IS NULL OR fee_native >= 0);
`,
  },
  {
    version: 6,
    name: 'strategies on live accounts: ledgers, transfers and strategy instances belong to an account',
    sql: `
-- Every row so far is the paper desk's (PAPER_ACCOUNT). A live account's desk reads and writes
-- only its own, as it does its orders, fills and positions.
ALTER TABLE ledgers ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
ALTER TABLE ledger_transfers ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
ALTER TABLE strategy_instances ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
CREATE INDEX ledger_transfers_account ON ledger_transfers (account, ts);
`,
  },
  {
    version: 7,
    name: 'orders: a cancel asked for and not yet confirmed (an order in flight is cancelled once acknowledged, after a restart too)',
    sql: `
ALTER TABLE orders ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1));
`,
  },
];

function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new KeelError('INTERNAL', `migration list out of order at ${m.version} (${m.name})`, { where: 'state migrations' });
  });
}

export function schemaVersion(db: Database.Database): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Brings the database up to the newest migration, each in its own transaction. A database
 * written by a newer Keel is refused rather than guessed at: its meaning is unknown here.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], where: string): number {
  checkList(migrations);
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = schemaVersion(db);
  const latest = migrations.length;
  if (current > latest) {
    throw new KeelError('CONFLICT', `state database is at schema version ${current}, newer than this Keel knows (${latest}); upgrade Keel or use another KEEL_HOME`, {
      where,
      details: { current, latest },
    });
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations.slice(current)) {
    const apply = db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    });
    try {
      apply();
    } catch (e) {
      throw new KeelError('INTERNAL', `migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, { where, cause: e });
    }
  }
  return latest;
}
