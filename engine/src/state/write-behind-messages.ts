import type { MessagePort } from 'node:worker_threads';

/** Slots of the shared progress array: transactions committed, and 1 once a write was refused. */
export const COMMITTED = 0;
export const FAILED = 1;

/** A deferred call of a StateStore method, with its arguments (structured-cloned to the worker: exact, undefined and NaN included). */
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
 * A transaction's writes, packed for the trip. Structured cloning costs per object and per
 * field, on both threads, and a replay's journal rows are a hundred thousand small objects a
 * million bars: they go as columns (an array of strings clones at about the cost of a copy),
 * the calls around them as they are.
 */
export interface PackedOps {
  calls: WriteBehindOp[];
  /** The journal rows of every recordBatch, in order. */
  ts: Float64Array;
  /** 0 for an order row, 1 for a fill's. */
  kinds: Uint8Array;
  payloads: string[];
}

interface JournalRow {
  ts: number;
  kind: 'order' | 'fill';
  payload: string;
}

interface RecordBatchArg {
  journal: readonly JournalRow[];
}

const PACKED_BATCH = 'recordBatch#packed';

export function packOps(ops: readonly WriteBehindOp[]): PackedOps {
  let rows = 0;
  for (const op of ops) if (op.method === 'recordBatch') rows += (op.args[0] as RecordBatchArg).journal.length;
  const ts = new Float64Array(rows);
  const kinds = new Uint8Array(rows);
  const payloads: string[] = new Array(rows);
  let n = 0;
  const plain = ops.map((op) => {
    if (op.method !== 'recordBatch') return op;
    const { journal, ...rest } = op.args[0] as RecordBatchArg;
    for (const j of journal) {
      ts[n] = j.ts;
      kinds[n] = j.kind === 'fill' ? 1 : 0;
      payloads[n++] = j.payload;
    }
    // The rows' count: the worker takes that many from the columns for this batch.
    return { method: PACKED_BATCH, args: [rest, journal.length] };
  });
  return { calls: plain, ts, kinds, payloads };
}

export function unpackOps(packed: PackedOps): WriteBehindOp[] {
  let next = 0;
  return packed.calls.map((op) => {
    if (op.method !== PACKED_BATCH) return op;
    const [rest, count] = op.args as [Record<string, unknown>, number];
    const journal: JournalRow[] = new Array(count);
    for (let i = 0; i < count; i++, next++) journal[i] = { ts: packed.ts[next]!, kind: packed.kinds[next] === 1 ? 'fill' : 'order', payload: packed.payloads[next]! };
    return { method: 'recordBatch', args: [{ ...rest, journal }] };
  });
}
