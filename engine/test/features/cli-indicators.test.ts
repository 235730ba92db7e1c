import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isKeelError } from '../../src/core/errors';
import { main } from '../../src/cli/main';
import { captureIO } from '../../src/cli/types';
import { command, INDICATOR_CSV_HEADER } from '../../src/cli/commands/indicators';
import { diffColumn, FIXTURES, readBars, readTable, ROOT } from './oracle';

const BARS = join(FIXTURES, 'bars', 'btc-usdt-5m-2023-01.csv');
const dir = mkdtempSync(join(tmpdir(), 'keel-indicators-cli-'));

async function expectBadInput(args: string[], message: RegExp): Promise<void> {
  try {
    await command.run(args, captureIO(dir));
  } catch (e) {
    expect(isKeelError(e), String(e)).toBe(true);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a KeelError');
}

describe('keel indicators', () => {
  it('writes the standard table, equal to R/TTR on a reference file', async () => {
    const out = join(dir, 'btc.csv');
    const io = captureIO(dir);
    expect(await command.run(['--data', BARS, '--out', out], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/wrote 10999 rows/);

    const text = readFileSync(out, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(INDICATOR_CSV_HEADER);
    expect(lines.length).toBe(1 + 10999);
    expect(lines[1]).toBe('1672677900000,,,,,,,,,,,');
    const notShortest = lines
      .slice(1)
      .flatMap((l) => l.split(','))
      .filter((cell) => cell !== '' && String(Number(cell)) !== cell);
    expect(notShortest, 'cells not in shortest round-trip form').toEqual([]);

    const ours = readTable(out);
    const oracle = readTable(join(FIXTURES, 'ttr', 'btc-usdt-5m-2023-01.csv.gz'));
    const close = readBars('btc-usdt-5m-2023-01.csv').close;
    for (const col of INDICATOR_CSV_HEADER.split(',')) {
      const d = diffColumn(col, ours.get(col)!, oracle.get(col)!, close);
      expect(d.nanMismatches, `${col}: empty cells differ from R's NA at row ${d.firstNanMismatch}`).toBe(0);
      expect(d.maxRelError, col).toBeLessThanOrEqual(1e-9);
    }
  });

  it('runs through the real bin/keel.js, with paths relative to the working directory', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'keel.js'), 'indicators', '--data', BARS, '--out', 'via-bin.csv'], { cwd: dir });
    expect(stdout).toMatch(/wrote 10999 rows/);
    expect(readFileSync(join(dir, 'via-bin.csv'), 'utf8')).toBe(readFileSync(join(dir, 'btc.csv'), 'utf8'));
  });

  it('prints its usage on --help', async () => {
    const io = captureIO(dir);
    expect(await main(['indicators', '--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('keel indicators --data BARS.csv --out OUT.csv');
  });

  it('refuses bad arguments and bad files, saying where, and leaves an existing output alone', async () => {
    const out = join(dir, 'keep.csv');
    writeFileSync(out, 'precious\n');
    const bad = (name: string, body: string): string => {
      const p = join(dir, name);
      writeFileSync(p, body);
      return p;
    };
    const header = 'timestamp,open,high,low,close,volume\n';
    await expectBadInput(['--out', out], /--data BARS\.csv is required/);
    await expectBadInput(['--data', BARS], /--out OUT\.csv is required/);
    await expectBadInput(['--data', BARS, '--out', out, '--fast'], /Unknown option '--fast'/);
    await expectBadInput(['--data', bad('h.csv', 'foo,bar\n1,2\n'), '--out', out], /h\.csv:1: no open, high, low, close column/);
    await expectBadInput(['--data', bad('c.csv', `${header}1672677900000,1,2,0.5,1.5\n`), '--out', out], /c\.csv:2: row has 5 fields/);
    // A bar the loader has to leave out would shift every window after it: refused, not thinned.
    await expectBadInput(
      // Four minute bars, the second bad: with three the spacing of what is left would be 2m, and every bar off that grid.
      ['--data', bad('n.csv', `${header}1672677900000,1,2,0.5,1.5,10\n1672677960000,1,2,x,1.5,10\n1672678020000,1,2,0.5,1.5,10\n1672678080000,1,2,0.5,1.5,10\n`), '--out', out],
      /n\.csv: 1 row\(s\) could not be used as bars.*line 3: low is not a number/,
    );
    await expectBadInput(['--data', join(dir, 'missing.csv'), '--out', out], /missing\.csv: cannot read/);
    expect(readFileSync(out, 'utf8')).toBe('precious\n');
  });
});
