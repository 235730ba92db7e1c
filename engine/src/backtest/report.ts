/**
 * A backtest's files: metrics.json (flat, every metric, null where undefined), trades.csv
 * (one closed trade per line), equity.csv (one line per bar) and run.json (what was run,
 * and the notes). Numbers are written at full precision (String(x)). Each file is written
 * beside its final name and renamed into place, so a failed write never leaves half a file.
 */
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestResult } from './engine';
import type { Metrics } from './metrics';

export const TRADES_CSV_HEADER = 'entry_time,entry_price,exit_time,exit_price,qty,side,pnl,return,fees,exit_reason';
export const EQUITY_CSV_HEADER = 'timestamp,equity';

/** Extra facts for run.json (the data file, costs, ...). */
export type RunInfo = Record<string, string | number | boolean | null | Record<string, unknown>>;

function writeAtomically(path: string, write: (fd: number) => void): void {
  const tmp = `${path}.partial`;
  const fd = openSync(tmp, 'w');
  try {
    write(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * equity.csv, a line per bar: written into one reused buffer, because building a million
 * strings and joining them cost three times as long. The text is exactly `${ts},${equity}`:
 * whole-millisecond times as digits, the equity as String() writes it.
 */
function writeEquity(fd: number, ts: Float64Array, equity: Float64Array): void {
  writeSync(fd, EQUITY_CSV_HEADER + '\n');
  const buf = Buffer.allocUnsafe(1 << 20);
  const digits = new Uint8Array(24);
  let at = 0;
  // Out of the market the equity repeats bar after bar: its text is made once.
  let last = NaN;
  let lastText = '';
  for (let i = 0; i < equity.length; i++) {
    if (at > buf.length - 128) {
      writeSync(fd, buf, 0, at);
      at = 0;
    }
    let t = ts[i]!;
    if (Number.isSafeInteger(t) && t >= 0) {
      let k = 0;
      do {
        const q = Math.floor(t / 10);
        digits[k++] = 48 + (t - q * 10);
        t = q;
      } while (t > 0);
      while (k > 0) buf[at++] = digits[--k]!;
    } else at += buf.write(String(t), at, 'latin1');
    buf[at++] = 44; // ,
    const e = equity[i]!;
    if (e !== last) {
      last = e;
      lastText = String(e);
    }
    at += buf.write(lastText, at, 'latin1');
    buf[at++] = 10; // \n
  }
  writeSync(fd, buf, 0, at);
}

const csvText = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function writeBacktestReport(dir: string, result: BacktestResult, info: RunInfo = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const files = ['metrics.json', 'trades.csv', 'equity.csv', 'run.json'].map((f) => join(dir, f));
  const [metricsFile, tradesFile, equityFile, runFile] = files as [string, string, string, string];
  writeAtomically(metricsFile, (fd) => writeSync(fd, JSON.stringify(result.metrics satisfies Metrics, null, 2) + '\n'));
  writeAtomically(tradesFile, (fd) => {
    const lines = [TRADES_CSV_HEADER];
    for (const t of result.trades) {
      lines.push(`${t.entryTime},${t.entryPrice},${t.exitTime},${t.exitPrice},${t.qty},${t.side === 'buy' ? 'long' : 'short'},${t.pnl},${t.returnPct},${t.fees},${csvText(t.exitReason)}`);
      // One write per few thousand trades: a system call per line costs more than the text.
      if (lines.length === 4096) {
        writeSync(fd, lines.join('\n') + '\n');
        lines.length = 0;
      }
    }
    if (lines.length > 0) writeSync(fd, lines.join('\n') + '\n');
  });
  writeAtomically(equityFile, (fd) => writeEquity(fd, result.ts, result.equity));
  const run = { strategy: result.strategy, params: result.params, symbol: result.symbol, timeframe: result.timeframe, ...info, notes: result.notes };
  writeAtomically(runFile, (fd) => writeSync(fd, JSON.stringify(run, null, 2) + '\n'));
  return files;
}

type Format = 'pct' | 'money' | 'ratio' | 'int' | 'time' | 'duration';

const SUMMARY: [key: string, label: string, format: Format][] = [
  ['total_return', 'Total return', 'pct'],
  ['cagr', 'CAGR', 'pct'],
  ['final_equity', 'Final equity', 'money'],
  ['max_drawdown', 'Max drawdown', 'pct'],
  ['longest_drawdown_ms', 'Longest drawdown', 'duration'],
  ['sharpe', 'Sharpe', 'ratio'],
  ['sortino', 'Sortino', 'ratio'],
  ['calmar', 'Calmar', 'ratio'],
  ['trades', 'Trades', 'int'],
  ['win_rate', 'Win rate', 'pct'],
  ['profit_factor', 'Profit factor', 'ratio'],
  ['avg_trade', 'Average trade', 'money'],
  ['best_trade', 'Best trade', 'money'],
  ['worst_trade', 'Worst trade', 'money'],
  ['exposure', 'Exposure', 'pct'],
  ['fees_paid', 'Fees paid', 'money'],
  ['bars', 'Bars', 'int'],
  ['start', 'From', 'time'],
  ['end', 'To', 'time'],
];

function formatDuration(ms: number): string {
  const d = Math.floor(ms / 86_400_000);
  const h = Math.floor((ms % 86_400_000) / 3_600_000);
  const m = Math.round((ms % 3_600_000) / 60_000);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m`;
}

function format(v: number | null | undefined, f: Format): string {
  if (v === null || v === undefined) return 'n/a';
  switch (f) {
    case 'pct':
      return `${(v * 100).toFixed(2)}%`;
    case 'money':
      return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    case 'ratio':
      return v.toFixed(3);
    case 'int':
      return v.toLocaleString('en-US');
    case 'time':
      return new Date(v).toISOString().replace('.000Z', 'Z');
    case 'duration':
      return formatDuration(v);
  }
}

/** The key metrics as an aligned two-column table, for a terminal. */
export function summaryLines(metrics: Metrics): string[] {
  const rows = SUMMARY.map(([key, label, f]) => [label, format(metrics[key], f)] as const);
  const lw = Math.max(...rows.map((r) => r[0].length));
  const vw = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([l, v]) => `  ${l.padEnd(lw)}  ${v.padStart(vw)}`);
}
