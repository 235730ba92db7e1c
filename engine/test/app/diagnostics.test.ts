// Export diagnostics: a zip of logs, crash records and versions that a trader can attach to a
// bug report. Fake keys, secrets, tokens and account ids are planted in the log files and the
// crash folder as an older or careless Keel might have left them; none may be in the zip.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import pkg from '../../../package.json';
import { redact } from '../../src/app/logs';
import { zip } from '../../src/app/zip';
import { repoRoot } from '../host/serve-child';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'keel-diag-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const PASSPHRASE = 'correct-horse-battery';
const TOKEN = 'a3f1c2d4e5b6978812345678abcdef0123456789abcdef0123456789abcdef01';
const ACCOUNT = '778899001';
const SUBACCOUNT = 'desk-7-alpha';
const LISTEN_KEY = 'pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1';
const PLANTED = [API_KEY, SECRET, PASSPHRASE, TOKEN, ACCOUNT, SUBACCOUNT, LISTEN_KEY];

function line(level: string, source: string, message: string, ts = Date.UTC(2026, 0, 5, 12)): string {
  return JSON.stringify({ ts, level, source, message }) + '\n';
}

function entries(file: string): string[] {
  return execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
}

function entry(file: string, name: string): string {
  return execFileSync('unzip', ['-p', file, name], { encoding: 'utf8' });
}

describe('Export diagnostics', () => {
  it('zips logs, crash records and versions with every planted secret and account id removed', async () => {
    const home = join(root, 'home');
    const crashes = join(root, 'crash-dumps');
    mkdirSync(join(home, 'logs'), { recursive: true });
    mkdirSync(join(crashes, 'completed'), { recursive: true });
    writeFileSync(join(home, 'serve-token'), `${TOKEN}\n`);
    writeFileSync(
      join(home, 'logs', 'engine.log'),
      line('info', 'engine', 'engine ready in 41 ms') +
        line('info', 'host', `listening on http://127.0.0.1:7419/#token=${TOKEN}`) +
        line('info', 'exchange', `binance: GET /api/v3/account?timestamp=1&signature=${SECRET} X-MBX-APIKEY: ${API_KEY}`) +
        line('warn', 'exchange', `balance refused for accountId=${ACCOUNT} (subAccount: ${SUBACCOUNT})`) +
        line('error', 'exchange', `ccxt: {"uid":${ACCOUNT},"apiKey":"${API_KEY}","secret":"${SECRET}","password":"${PASSPHRASE}"}`) +
        line('info', 'stream', `user stream open, listenKey ${LISTEN_KEY}`) +
        line('info', 'desk', `order placed: buy 0.5 BTC/USDT limit 41000 (opened ${homedir()}/keel-notes.txt)`),
    );
    writeFileSync(join(home, 'logs', 'engine.log.1'), line('info', 'keychain', `stored key ${API_KEY} for binance account ${ACCOUNT}`));
    // Node's fatal-error report copies the environment; the process guard's note; a binary minidump.
    writeFileSync(
      join(crashes, 'report.20260105.120000.4242.0.001.json'),
      JSON.stringify({ header: { event: 'Allocation failed - JavaScript heap out of memory', nodejsVersion: 'v20.19.0' }, javascriptStack: { message: 'FATAL' }, environmentVariables: { KEEL_BINANCE_SECRET: SECRET, HOME: homedir() }, userLimits: {} }),
    );
    writeFileSync(join(crashes, 'engine-2026-01-05.json'), JSON.stringify({ what: 'an exception was thrown and nothing caught it', error: { message: `auth failed for api_key=${API_KEY}` } }));
    writeFileSync(join(crashes, 'completed', 'a1b2.dmp'), Buffer.concat([Buffer.from('MDMP'), Buffer.from(SECRET), Buffer.alloc(64)]));

    const out = join(root, 'diag.zip');
    const r = await run(process.execPath, [join(repoRoot, 'bin', 'keel.js'), 'diagnostics', '--out', out, '--home', home], { cwd: root, env: { ...process.env, KEEL_CRASH_DIR: crashes } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`files in ${out}`);

    // A valid archive by another program's reading, every CRC checked.
    expect(execFileSync('unzip', ['-t', out], { encoding: 'utf8' })).toContain('No errors detected');
    const names = entries(out);
    expect(names.sort()).toEqual(['README.txt', 'crashes.txt', 'crashes/engine-2026-01-05.json', 'crashes/report.20260105.120000.4242.0.001.json', 'logs/engine.log', 'logs/engine.log.1', 'versions.json'].sort());
    const all = names.map((n) => entry(out, n)).join('\n');
    for (const s of PLANTED) expect(all, `planted ${s}`).not.toContain(s);
    expect(all).not.toContain(homedir() + '/');
    expect(all).not.toContain('KEEL_BINANCE_SECRET');

    // What is not secret is still there to read.
    const log = entry(out, 'logs/engine.log');
    expect(log).toContain('engine ready in 41 ms');
    expect(log).toContain('order placed: buy 0.5 BTC/USDT limit 41000 (opened ~/keel-notes.txt)');
    expect(log).toContain('balance refused for accountId=[removed]');
    expect(log.trim().split('\n').every((l) => JSON.parse(l) !== undefined)).toBe(true);
    expect(entry(out, 'crashes/report.20260105.120000.4242.0.001.json')).toContain('heap out of memory');
    expect(entry(out, 'crashes.txt')).toMatch(/completed\/a1b2\.dmp\t132 bytes/);
    const v = JSON.parse(entry(out, 'versions.json')) as Record<string, string>;
    expect(v.keel).toBe(pkg.version);
    expect(v.node).toBe(process.versions.node);
    expect(v.sqlite).toMatch(/^3\.\d+/);
    expect(v.duckdb).toMatch(/^v?\d+\.\d+/);

    // An existing file is not replaced.
    await expect(run(process.execPath, [join(repoRoot, 'bin', 'keel.js'), 'diagnostics', '--out', out, '--home', home], { cwd: root })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('already there') });
  }, 60_000);

  it('redacts without eating ordinary text', () => {
    expect(redact('bought 0.25 BTC/USDT at 41000.5, ledger trend-1, 5m bars 2024-01-01T00:00:00Z')).toBe('bought 0.25 BTC/USDT at 41000.5, ledger trend-1, 5m bars 2024-01-01T00:00:00Z');
    expect(redact(`x-mbx-apikey: ${API_KEY}`)).toBe('x-mbx-apikey: [removed]');
    expect(redact(`raw ${LISTEN_KEY} end`)).toBe('raw [removed] end');
  });

  it('writes archives another reader takes: empty files, stored and deflated entries, UTF-8 names', () => {
    const file = join(root, 'small.zip');
    writeFileSync(file, zip([{ name: 'empty.txt', data: Buffer.alloc(0) }, { name: 'a/ünï.txt', data: Buffer.from('x') }, { name: 'big.log', data: Buffer.from('line\n'.repeat(10_000)) }]));
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toContain('No errors detected');
    expect(entry(file, 'big.log')).toBe('line\n'.repeat(10_000));
    expect(() => zip([{ name: '../x', data: Buffer.alloc(1) }])).toThrow(/bad entry name/);
  });
});
