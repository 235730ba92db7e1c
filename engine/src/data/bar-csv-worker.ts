/**
 * Worker thread entry: parses bar CSVs with the same parser and checks as the engine thread
 * (parseBarCsv) and sends the accepted bars back in column batches, so the engine stores one
 * batch while the next is parsed. At most `maxInFlight` batches are out at a time: the
 * parse waits at the next 4 MB chunk until the engine returns one, which bounds memory when
 * storing is the slower side.
 */
import { parentPort } from 'node:worker_threads';
import { BarBatcher, newBatchColumns } from './bar-batches';
import { parseBarCsv } from './bar-csv';
import { toWire, type FromCsvWorker, type ToCsvWorker } from './bar-csv-messages';

const port = parentPort;
if (!port) throw new Error('bar-csv-worker must run in a worker thread');

const spare: Float64Array[][] = [];
let inFlight = 0;
let caughtUp: (() => void) | undefined;

const send = (msg: FromCsvWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

port.on('message', (msg: ToCsvWorker) => {
  if (msg.type === 'recycle') {
    inFlight--;
    spare.push(msg.cols);
    caughtUp?.();
    caughtUp = undefined;
  } else {
    void parse(msg);
  }
});

async function parse(job: Extract<ToCsvWorker, { type: 'parse' }>): Promise<void> {
  // Columns kept from an earlier parse with another batch size are dropped.
  if (spare[0]?.[0]?.length !== job.batchRows) spare.length = 0;
  try {
    const batcher = new BarBatcher((cols, rows) => {
      inFlight++;
      send({ type: 'batch', cols, rows }, cols.map((c) => c.buffer as ArrayBuffer));
      return spare.pop() ?? newBatchColumns(job.batchRows);
    }, spare.pop() ?? newBatchColumns(job.batchRows));
    const p = await parseBarCsv(job.path, batcher, job.snapMs, async (rowsRead) => {
      send({ type: 'progress', rowsRead });
      while (inFlight >= job.maxInFlight) await new Promise<void>((resolve) => (caughtUp = resolve));
    });
    batcher.flush();
    const checks = p.checker.checks();
    const ts = checks.ts.slice();
    const lines = checks.lines.slice();
    send(
      { type: 'done', result: { description: p.layout.description, notes: [...p.layout.notes], checks: { ...checks, ts, lines }, rejected: p.rejects.toReport(), sha256: p.sha256 } },
      [ts.buffer, lines.buffer],
    );
  } catch (e) {
    send({ type: 'error', error: toWire(e) });
  }
}
