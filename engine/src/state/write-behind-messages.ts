import type { MessagePort } from 'node:worker_threads';

/** Slots of the shared progress array: transactions committed, and 1 once a write was refused. */
export const COMMITTED = 0;
export const FAILED = 1;

/** A deferred call of a StateStore method, with its arguments (structured-cloned to the worker). */
export interface WriteBehindOp {
  method: string;
  args: unknown[];
}

export type WriteBehindToWorker =
  | { type: 'open'; file: string; account: string | undefined; progress: Int32Array; replies: MessagePort }
  /** One transaction's writes, in order. */
  | { type: 'batch'; packed: PackedOps }
  | { type: 'close' };

/** Sent on the reply port when a transaction was refused: the worker takes nothing after it. */
export interface WriteBehindFailure {
  code: string;
  message: string;
  where: string | undefined;
}

/**
 * A transaction's writes as two strings. Structured cloning costs per object and per field,
 * on both threads, which for a replay's journal (a hundred thousand small objects a million
 * bars) is as much as the writes it carries; a JSON string and the journal's payloads (JSON
 * already) joined into one string cost about a copy.
 */
export interface PackedOps {
  json: string;
  /** The journal rows' payloads of every recordBatch, in order, joined by newlines. */
  payloads: string;
}

interface JournalRow {
  ts: number;
  kind: 'order' | 'fill';
  payload: string;
}

interface RecordBatchArg {
  journal: readonly JournalRow[];
}

/** A recordBatch whose journal rows' payloads went to PackedOps.payloads. */
interface PackedRecordBatch {
  rest: Record<string, unknown>;
  ts: number[];
  kinds: ('order' | 'fill')[];
}

export function packOps(ops: readonly WriteBehindOp[]): PackedOps {
  const payloads: string[] = [];
  const plain = ops.map((op) => {
    if (op.method !== 'recordBatch') return op;
    const { journal, ...rest } = op.args[0] as RecordBatchArg;
    // Newlines separate the payloads; JSON.stringify never writes one, but a payload is only a string.
    if (journal.some((j) => j.payload.includes('\n'))) return op;
    const packed: PackedRecordBatch = { rest, ts: journal.map((j) => j.ts), kinds: journal.map((j) => j.kind) };
    for (const j of journal) payloads.push(j.payload);
    return { method: 'recordBatch#packed', args: [packed] };
  });
  return { json: JSON.stringify(plain), payloads: payloads.join('\n') };
}

export function unpackOps(packed: PackedOps): WriteBehindOp[] {
  const payloads = packed.payloads === '' ? [] : packed.payloads.split('\n');
  let next = 0;
  return (JSON.parse(packed.json) as WriteBehindOp[]).map((op) => {
    if (op.method !== 'recordBatch#packed') return op;
    const p = op.args[0] as PackedRecordBatch;
    const journal: JournalRow[] = p.ts.map((ts, i) => ({ ts, kind: p.kinds[i]!, payload: payloads[next++]! }));
    return { method: 'recordBatch', args: [{ ...p.rest, journal }] };
  });
}
