import { open, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { KeelError } from '../core/errors';

const CHUNK_BYTES = 4 << 20;
const NEWLINE = 10;

/** Called once per line with the line's byte range [start, end) in `buf` (no newline) and its 1-based number. */
export type LineHandler = (buf: Buffer, start: number, end: number, line: number) => void;

export interface ScanResult {
  lines: number;
  sha256: string;
}

/**
 * Reads a file in 4 MB chunks and hands each complete line to `onLine`, hashing the bytes
 * on the way so an import needs a single pass over the file. Reads are awaited, so a long
 * import yields to the event loop between chunks instead of freezing the engine.
 * `onChunk` runs after each chunk's lines (progress, cancellation); when it returns a promise
 * the next chunk waits for it, which is how a parse worker waits for its reader to catch up.
 */
export async function scanLines(path: string, onLine: LineHandler, onChunk?: (lines: number) => void | Promise<void>): Promise<ScanResult> {
  const handle = await openForReading(path);
  const hash = createHash('sha256');
  let buf: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let carry = 0;
  let line = 0;
  let first = true;
  try {
    for (;;) {
      if (carry === buf.length) {
        // One line fills the whole buffer: market data never looks like that.
        throw new KeelError('BAD_FILE', `line is longer than ${buf.length >> 20} MB; this is not a market data CSV`, { where: `${path}:${line + 1}` });
      }
      const { bytesRead } = await readOrRefuse(handle, path, buf, carry, buf.length - carry, null);
      const end = carry + bytesRead;
      hash.update(buf.subarray(carry, end));
      let pos = 0;
      if (first && end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      first = false;
      for (;;) {
        const nl = buf.indexOf(NEWLINE, pos);
        if (nl < 0 || nl >= end) break;
        onLine(buf, pos, nl, ++line);
        pos = nl + 1;
      }
      if (bytesRead === 0) {
        if (pos < end) onLine(buf, pos, end, ++line);
        break;
      }
      carry = end - pos;
      if (pos > 0) buf.copyWithin(0, pos, end);
      else if (carry === buf.length) buf = growBuffer(buf);
      const wait = onChunk?.(line);
      if (wait) await wait;
    }
  } finally {
    await handle.close();
  }
  return { lines: line, sha256: hash.digest('hex') };
}

function growBuffer(buf: Buffer): Buffer {
  if (buf.length >= CHUNK_BYTES * 4) return buf;
  const bigger = Buffer.allocUnsafe(buf.length * 2);
  buf.copy(bigger);
  return bigger;
}

function cannotRead(path: string, e: unknown): KeelError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String(e);
  return new KeelError('BAD_FILE', `cannot read: ${why}`, { where: path, cause: e });
}

async function openForReading(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    throw cannotRead(path, e);
  }
}

async function readOrRefuse(handle: FileHandle, path: string, buf: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }> {
  try {
    return await handle.read(buf, offset, length, position);
  } catch (e) {
    throw cannotRead(path, e);
  }
}

const HEAD_BYTES = 64 << 10;

/**
 * The first `n` lines of a file as text (for layout sniffing), without reading the rest.
 * Refuses, naming what it is, a file that is not 8-bit text: UTF-16, or binary (compressed,
 * an archive, Parquet under another name); and a first line longer than 64 KiB.
 */
export async function headLines(path: string, n: number): Promise<string[]> {
  const handle = await openForReading(path);
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await readOrRefuse(handle, path, buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    const notText = notTextReason(head);
    if (notText) throw new KeelError('BAD_FILE', notText, { where: path });
    let text = head.toString('latin1');
    if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
    const lines = text.split('\n');
    // The last piece may be a cut line unless the whole file fit.
    if (bytesRead === buf.length) {
      if (lines.length === 1) {
        throw new KeelError('BAD_FILE', `the first line is longer than ${HEAD_BYTES >> 10} KiB; a CSV header is a line of column names, so this is not a market data CSV`, { where: `${path}:1` });
      }
      lines.pop();
    }
    return lines.slice(0, n).map((l) => l.replace(/\r$/, ''));
  } finally {
    await handle.close();
  }
}

/** Why the start of a file is not CSV text, or undefined when it may be. */
function notTextReason(head: Buffer): string | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0xff, 0xfe)) return 'the file is UTF-16 text (little-endian, with a byte-order mark); save it as UTF-8 and import it again';
  if (starts(0xfe, 0xff)) return 'the file is UTF-16 text (big-endian, with a byte-order mark); save it as UTF-8 and import it again';
  if (starts(0x1f, 0x8b)) return 'the file is gzip-compressed; unpack it and import the CSV inside';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'the file is a zip archive; unpack it and import the CSV inside';
  if (starts(0x50, 0x41, 0x52, 0x31)) return 'the file is Parquet; give it a .parquet name to import it as Parquet';
  const sample = head.subarray(0, 4096);
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) (i % 2 === 0 ? evenNul++ : oddNul++);
  if (evenNul + oddNul === 0) return undefined;
  // ASCII as UTF-16 without a byte-order mark: every other byte is NUL.
  const half = sample.length / 2;
  if (oddNul > 0.4 * half && evenNul < 0.05 * half) return 'the file looks like UTF-16 text (little-endian, no byte-order mark); save it as UTF-8 and import it again';
  if (evenNul > 0.4 * half && oddNul < 0.05 * half) return 'the file looks like UTF-16 text (big-endian, no byte-order mark); save it as UTF-8 and import it again';
  return 'the file holds binary data (NUL bytes), not CSV text';
}

export async function sha256File(path: string): Promise<string> {
  const handle = await openForReading(path);
  const hash = createHash('sha256');
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await readOrRefuse(handle, path, buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}
