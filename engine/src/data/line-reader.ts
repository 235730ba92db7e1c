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

/** The first `n` lines of a file as text (for layout sniffing), without reading the rest. */
export async function headLines(path: string, n: number): Promise<string[]> {
  const handle = await openForReading(path);
  try {
    const buf = Buffer.alloc(64 << 10);
    const { bytesRead } = await readOrRefuse(handle, path, buf, 0, buf.length, 0);
    let text = buf.toString('latin1', 0, bytesRead);
    if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
    const lines = text.split('\n');
    // The last piece may be a cut line unless the whole file fit.
    if (bytesRead === buf.length) lines.pop();
    return lines.slice(0, n).map((l) => l.replace(/\r$/, ''));
  } finally {
    await handle.close();
  }
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
