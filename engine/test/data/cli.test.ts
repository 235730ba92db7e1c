import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { captureIO } from '../../src/cli/types';
import { main } from '../../src/cli/main';
import { MarketStore } from '../../src/data/market-store';
import { fixture, tempDir, writeFile } from './helpers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const run = promisify(execFile);

/** Runs the real `keel` binary; resolves with the exit code instead of throwing on non-zero. */
async function keel(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin', 'keel.js'), ...args], { cwd: ROOT, env: { ...process.env, KEEL_HOME: home } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('keel import / datasets / export (in process)', () => {
  it('imports, lists and exports, with exit codes 0, 1 and 2', async () => {
    const home = tempDir();
    const io = () => captureIO(home, { KEEL_HOME: home });

    const ok = io();
    expect(await main(['import', fixture('alt-btc-1m-2017-11.csv')], ok)).toBe(0);
    expect(ok.stdout.join('\n')).toMatch(/rows read 13681, accepted 13681, rejected 0/);
    expect(ok.stdout.join('\n')).toMatch(/gaps: 538 \(717 missing bars\)/);

    const bad = io();
    const badFile = writeFile(home, 'bad-1m.csv', ['timestamp,open,high,low,close,volume', '1672531200000,1,2,0.5,1,1', '1672531260000,1,0.5,0.6,1,1', '1672531320000,1,2,0.5,1,1']);
    expect(await main(['import', badFile, '--symbol', 'B'], bad)).toBe(1);
    expect(bad.stdout.join('\n')).toContain('line 3: high-below-low: high 0.5 < low 0.6');

    const strict = io();
    expect(await main(['import', badFile, '--symbol', 'B2', '--strict'], strict)).toBe(2);
    expect(strict.stderr.join('\n')).toMatch(/refused .*bad-1m\.csv.*:3: refused \(--strict\)/);

    const json = io();
    expect(await main(['import', fixture('xrp-eth-trades-2019-10.csv'), '--trades', '--symbol', 'XRP/ETH', '--json'], json)).toBe(0);
    const report = JSON.parse(json.stdout.join('\n')) as { kind: string; rowsAccepted: number; store: { rowsNew: number } };
    expect([report.kind, report.rowsAccepted, report.store.rowsNew]).toEqual(['trades', 12_477, 12_477]);

    const again = io();
    expect(await main(['import', fixture('alt-btc-1m-2017-11.csv')], again)).toBe(0);
    expect(again.stdout.join('\n')).toMatch(/already imported on .*: 0 new rows/);

    const list = io();
    expect(await main(['datasets', '--json'], list)).toBe(0);
    expect((JSON.parse(list.stdout.join('\n')) as { symbol: string; rows: number }[]).map((d) => [d.symbol, d.rows])).toEqual([['ALT-BTC', 13_681], ['B', 2], ['XRP/ETH', 12_477]]);

    const out = join(home, 'alt-1h.csv');
    const exp = io();
    expect(await main(['export', '--symbol', 'ALT-BTC', '--timeframe', '1h', '--out', out, '--from', '2017-11-10', '--to', '2017-11-12T10:30:00Z'], exp)).toBe(0);
    expect(exp.stdout[0]).toMatch(/^wrote 59 1h bars of ALT-BTC \(resampled from 1m; the last bar may be incomplete\) to /);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,open,high,low,close,volume');
    expect(Number(lines[1]!.split(',')[0])).toBe(Date.UTC(2017, 10, 10));
    expect(Number(lines[59]!.split(',')[0])).toBe(Date.UTC(2017, 10, 12, 10));

    const usage = io();
    expect(await main(['import', '--trades', '--timeframe', '1m', badFile], usage)).toBe(2);
    expect(usage.stderr.join('\n')).toMatch(/--timeframe does not apply to --trades/);
  });
});

describe('keel through bin/keel.js', () => {
  it('imports the malformed index future file, reports the detected layout, lists it', async () => {
    const home = tempDir();
    const r = await keel(['import', fixture('index-future-1m-2006-01-02.csv'), '--symbol', 'FUT'], home);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/the header names 7 columns but the rows have 8/);
    expect(r.stdout).toMatch(/rows read 30889, accepted 30889, rejected 0/);
    expect(existsSync(join(home, 'market.duckdb'))).toBe(true);
    const list = await keel(['datasets'], home);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/bars\s+FUT\s+1m\s+2006-01-02T09:01:00.000Z\s+2006-02-27T22:00:00.000Z\s+30889\s+765/);
  });

  it('refuses with exit 2 when another process holds the store', async () => {
    const home = tempDir();
    const store = await MarketStore.open(join(home, 'market.duckdb'));
    try {
      const r = await keel(['datasets'], home);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/the market store is open in another process/);
    } finally {
      store.close();
    }
  });
});
