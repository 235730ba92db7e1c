import { basename } from 'node:path';
import { KeelError } from '../core/errors';
import type { TradeSeries } from '../model/trade';
import { fieldText, quoted } from './csv-fields';
import { detectTradeLayout } from './csv-layout';
import { describeBadNumber, numericMask, readTime, rowHandler, timeText } from './csv-rows';
import { GrowableF64 } from './growable';
import { RejectLog, isoTime, type ImportReport } from './import-report';
import { resolveSymbol } from './infer';
import { headLines, scanLines } from './line-reader';

export interface ParsedTrades {
  series: TradeSeries;
  /** One id per trade: the file's, or made from time, price, amount and the order among equal trades. */
  ids: string[];
  report: ImportReport;
}

const SIDES: Record<string, number> = { buy: 1, b: 1, sell: -1, s: -1, '': 0 };

/**
 * Reads a trades CSV (with a header naming time, price and amount, or Kraken's headerless
 * time,price,volume) with the same row discipline as bars: bad rows are rejected with their
 * line, equal times are fine (many trades share a millisecond) but time going the other way
 * than the file's direction is out of order, and a repeated trade id is merged when the
 * trade is identical and rejected when it is not.
 */
export async function parseTradeCsv(path: string, opts: { symbol?: string; strict?: boolean } = {}): Promise<ParsedTrades> {
  const layout = detectTradeLayout(await headLines(path, 40), path);
  const { symbol, source: symbolSource } = resolveSymbol(path, opts.symbol);
  const rejects = new RejectLog();
  const ts = new GrowableF64();
  const price = new GrowableF64();
  const amount = new GrowableF64();
  const side = new GrowableF64();
  const ids: string[] = [];
  const lineOfId = new Map<string, number>();
  const indexOfId = new Map<string, number>();
  const occurrences = new Map<string, number>();
  let rowsRead = 0;
  let duplicates = 0;
  let direction = 0;
  let prevTs = NaN;
  let prevLine = 0;
  const columns = layout.description.split(' (')[0]!;
  const numeric = numericMask(layout.fieldCount, layout.time, [layout.price, layout.amount]);
  const onRow = rowHandler(path, layout, columns, numeric, (buf, f, line) => {
    rowsRead++;
    // Trades are keyed by id, not time: a time below the millisecond is rounded to the ms the store keeps.
    const t = Math.round(readTime(buf, f, layout.time));
    if (Number.isNaN(t)) return rejects.add(line, 'bad-timestamp', `unreadable time ${timeText(buf, f, layout.time)}`);
    const p = f.value[layout.price]!;
    if (!Number.isFinite(p)) return rejects.add(line, 'not-a-number', describeBadNumber(buf, f, layout.price, 'price'));
    const a = f.value[layout.amount]!;
    if (!Number.isFinite(a)) return rejects.add(line, 'not-a-number', describeBadNumber(buf, f, layout.amount, 'amount'));
    if (p <= 0) return rejects.add(line, 'non-positive-price', `price is ${p}; prices must be > 0`);
    if (a <= 0) return rejects.add(line, 'non-positive-amount', `amount is ${a}; a trade has a positive amount`);
    let s = 0;
    if (layout.side >= 0) {
      const text = fieldText(buf, f.start[layout.side]!, f.end[layout.side]!);
      const v = SIDES[text.toLowerCase()];
      if (v === undefined) return rejects.add(line, 'bad-side', `side is ${quoted(text, 20)}, expected buy or sell`);
      s = v;
    }
    if (prevLine !== 0 && t !== prevTs) {
      const dir = t > prevTs ? 1 : -1;
      if (direction === 0) direction = dir;
      else if (dir !== direction) {
        return rejects.add(line, 'out-of-order', `${isoTime(t)} is ${dir > 0 ? 'after' : 'before'} the previous row's ${isoTime(prevTs)} (line ${prevLine}) in a file that runs ${direction > 0 ? 'forward' : 'backward'} in time`);
      }
    }
    let id: string;
    if (layout.id >= 0) {
      id = fieldText(buf, f.start[layout.id]!, f.end[layout.id]!);
      const seen = indexOfId.get(id);
      if (seen !== undefined) {
        if (ts.view()[seen] === t && price.view()[seen] === p && amount.view()[seen] === a && side.view()[seen] === s) duplicates++;
        else rejects.add(line, 'conflicting-duplicate', `trade id ${id} already on line ${lineOfId.get(id)} with different values`);
        return;
      }
      indexOfId.set(id, ts.length);
      lineOfId.set(id, line);
    } else {
      const key = `${t}:${p}:${a}`;
      const n = (occurrences.get(key) ?? 0) + 1;
      occurrences.set(key, n);
      id = `${key}:${n}`;
    }
    prevTs = t;
    prevLine = line;
    ts.push(t);
    price.push(p);
    amount.push(a);
    side.push(s);
    ids.push(id);
  });
  const { sha256 } = await scanLines(path, onRow);
  const first = rejects.rows[0];
  if (opts.strict && first) {
    throw new KeelError('BAD_FILE', `refused (--strict): ${rejects.count} bad rows; first: ${first.reason}: ${first.message}`, { where: `${path}:${first.line}`, details: { rejected: rejects.toReport() } });
  }
  if (ts.length === 0) {
    throw new KeelError('BAD_FILE', `no usable trades (${rowsRead} read, ${rejects.count} rejected${first ? `; first: ${first.reason}: ${first.message}` : ''})`, { where: first ? `${path}:${first.line}` : path });
  }
  const notes = [...layout.notes];
  const cols = [ts, price, amount, side].map((g) => g.toArray());
  if (direction < 0) {
    cols.forEach((c) => c.reverse());
    ids.reverse();
    notes.push('the file runs backward in time; its trades were put in ascending order');
  }
  const [tsA, priceA, amountA, sideA] = cols as [Float64Array, Float64Array, Float64Array, Float64Array];
  const series: TradeSeries = { symbol, length: tsA.length, ts: tsA, price: priceA, amount: amountA, side: Int8Array.from(sideA) };
  const report: ImportReport = {
    file: basename(path),
    sha256,
    kind: 'trades',
    layout: layout.description,
    symbol,
    symbolSource,
    timeframe: null,
    timeframeSource: null,
    notes,
    position: 'line',
    rowsRead,
    rowsAccepted: tsA.length,
    duplicatesInFile: duplicates,
    rejected: rejects.toReport(),
    from: tsA[0]!,
    to: tsA[tsA.length - 1]!,
    gaps: null,
    store: null,
  };
  return { series, ids, report };
}
