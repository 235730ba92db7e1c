// Item 5 of the hardening issue: errors about a file name the real column, row and cause,
// and never write raw bytes of the file to a terminal.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { captureIO } from '../../src/cli/types';
import { main } from '../../src/cli/main';
import { loadBarFile } from '../../src/data/load-bar-file';
import { tempDir, writeFile } from './helpers';

const HEADER = 'timestamp,open,high,low,close,volume';
const T = 1_672_707_900_000;

async function refusal(path: string): Promise<{ code: string; message: string }> {
  try {
    await loadBarFile(path, { symbol: 'X', timeframe: '5m' });
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('import messages that say what is wrong', () => {
  it('finite values whose sum overflows are stored, and a bad value is named by its own column and row', async () => {
    const dir = tempDir();
    const csv = await loadBarFile(writeFile(dir, 'huge-5m.csv', [HEADER, `${T},1e308,1e308,1e308,1e308,1e308`, `${T + 300_000},1e308,1e308,1e308,1e308,abc`, `${T + 600_000},1,2,0.5,1,1`]), { timeframe: '5m' });
    expect(csv.report.rejected.rows).toEqual([{ line: 3, reason: 'not-a-number', message: 'volume is not a number: "abc"' }]);
    expect(Array.from(csv.series.close)).toEqual([1e308, 1]);
    // The same check on the Parquet path, which goes through the row checker alone.
    const parquet = join(dir, 'huge-5m.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run(`COPY (SELECT * FROM (VALUES (${T}::BIGINT, 1e308, 1e308, 1e308, 1e308, 1e308), (${T + 300_000}::BIGINT, 1.0, 2.0, 0.5, 1.0, 1.0)) t("timestamp", open, high, low, close, volume)) TO '${parquet}' (FORMAT parquet)`);
    con.closeSync();
    db.closeSync();
    const pq = await loadBarFile(parquet, { symbol: 'H', timeframe: '5m' });
    expect(pq.report.rejected.count).toBe(0);
    expect(Array.from(pq.series.close)).toEqual([1e308, 1]);
  });

  it('a header over 64 KiB is not "the file is empty"; a header-only file has "no rows"', async () => {
    const dir = tempDir();
    expect(await refusal(writeFile(dir, 'wide-5m.csv', [`${'c,'.repeat(40_000)}close`, '1']))).toMatchObject({
      code: 'BAD_FILE',
      message: expect.stringContaining('the first line is longer than 64 KiB'),
    });
    expect(await refusal(writeFile(dir, 'head-5m.csv', [HEADER]))).toMatchObject({ message: expect.stringContaining('no rows: the file has a header line and nothing after it') });
  });

  it('names UTF-16 (with or without a byte-order mark), compressed and binary files for what they are', async () => {
    const dir = tempDir();
    const csv = `${HEADER}\n${T},1,2,0.5,1,1\n`;
    const put = (name: string, bytes: Buffer) => {
      writeFileSync(join(dir, name), bytes);
      return join(dir, name);
    };
    expect((await refusal(put('le-5m.csv', Buffer.from(`\ufeff${csv}`, 'utf16le')))).message).toContain('the file is UTF-16 text (little-endian, with a byte-order mark); save it as UTF-8');
    expect((await refusal(put('be-5m.csv', Buffer.from(`\ufeff${csv}`, 'utf16le').swap16()))).message).toContain('UTF-16 text (big-endian, with a byte-order mark)');
    expect((await refusal(put('nobom-5m.csv', Buffer.from(csv, 'utf16le')))).message).toContain('looks like UTF-16 text (little-endian, no byte-order mark)');
    expect((await refusal(put('gz-5m.csv', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])))).message).toContain('gzip-compressed');
    expect((await refusal(put('bin-5m.csv', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0x1b, 0x5b, 0x33, 0x31, 0x6d])))).message).toContain('binary data (NUL bytes), not CSV text');
  });

  it('refuses a repeated column, naming both positions', async () => {
    const dir = tempDir();
    const e = await refusal(writeFile(dir, 'twice-5m.csv', ['timestamp,open,high,low,close,Close,volume', `${T},1,2,0.5,1,1.5,1`]));
    expect(e.message).toContain('column "close" appears 2 times (columns 5 and 6); refusing rather than guessing which one to read');
  });

  it('escapes bytes outside printable ASCII wherever a message quotes the file, so nothing raw reaches the terminal', async () => {
    const home = tempDir();
    const io = captureIO(home, { KEEL_HOME: home });
    const rows = writeFile(home, 'esc-5m.csv', [HEADER, `${T},\u001b[31mred\u0007,2,0.5,1,1`, `${T + 300_000},1,2,0.5,1,1`, `${T + 600_000},1,2,0.5,1,1`]);
    expect(await main(['import', rows, '--symbol', 'E'], io)).toBe(1);
    const out = io.stdout.join('\n');
    expect(out).toContain('line 2: not-a-number: open is not a number: "\\x1b[31mred\\x07"');
    // A file that is not recognised: the CLI shows its header (the user named the file), escaped.
    const odd = writeFile(home, 'odd-5m.csv', ['name,\u001b]0;pwned\u0007', 'a,b']);
    expect(await main(['import', odd, '--symbol', 'O'], io)).toBe(2);
    const err = io.stderr.join('\n');
    expect(err).toContain("no open, high, low, close column among the header's 2 fields");
    expect(err).toContain('header: "name,\\x1b]0;pwned\\x07"');
    for (const line of [...io.stdout, ...io.stderr]) expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});
