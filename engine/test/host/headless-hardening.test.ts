import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { WS_PATH, type ServerMessage } from '../../protocol/index';
import { startHeadless } from '../../src/host/headless';
import { repoRoot, startServe, stubUi } from './serve-child';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'keel-hardening-'));
}

/** An upgrade attempt: resolves with the HTTP status it got (101 when it was accepted). */
function tryUpgrade(port: number, query: string, origin?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${WS_PATH}${query}`, origin ? { origin } : {});
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}

/** One request over a fresh socket. */
async function call(port: number, token: string, method: string, params: unknown = {}): Promise<Extract<ServerMessage, { t: 'res' }>> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${WS_PATH}?token=${token}`);
  try {
    return await new Promise((resolve, reject) => {
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as ServerMessage;
        if (m.t === 'res' && m.id === 1) resolve(m);
      });
      ws.once('open', () => ws.send(JSON.stringify({ t: 'req', id: 1, method, params })));
      ws.once('error', reject);
    });
  } finally {
    ws.close();
  }
}

const modeOf = (p: string) => statSync(p).mode & 0o777;

describe('headless hardening', () => {
  it('counts refused connections instead of logging each: 3,000 bad tokens cannot push the log out', async () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    const engine = await startHeadless({ port: 0, home, uiDir: stubUi(dir) });
    try {
      engine.app.logs.logger('test').info('a line written before the flood');
      const statuses: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < 3_000) {
            next++;
            statuses.push(await tryUpgrade(engine.port, `?token=${'0'.repeat(64)}`));
          }
        }),
      );
      expect(statuses.filter((s) => s === 401)).toHaveLength(3_000);
      const refusals = () => engine.app.logs.recent(10_000).filter((l) => l.message.includes('refused')).map((l) => l.message);
      const first = 'refused a WebSocket from 127.0.0.1: no valid token (more refusals from it are counted, not logged one by one)';
      expect(refusals()).toEqual([first]);
      expect(engine.app.logs.recent(10_000).map((l) => l.message)).toContain('a line written before the flood');
    } finally {
      // Closing ends the minute early: its summary goes out now.
      await engine.close();
    }
    try {
      const refusals = engine.app.logs.recent(10_000).filter((l) => l.message.includes('refused')).map((l) => l.message);
      expect(refusals).toEqual([
        'refused a WebSocket from 127.0.0.1: no valid token (more refusals from it are counted, not logged one by one)',
        '3000 refused connections from 127.0.0.1 in the last minute (no valid token)',
      ]);
      // The same lines are in the log file, one JSON entry per line.
      const file = readFileSync(join(home, 'logs', 'engine.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { message: string });
      expect(file.map((e) => e.message)).toContain('a line written before the flood');
      expect(file.filter((e) => e.message.includes('refused')).map((e) => e.message)).toEqual(refusals);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("refuses a WebSocket from any page but its own (Origin), and still takes non-browser clients", async () => {
    const dir = tempDir();
    const engine = await startHeadless({ port: 0, home: join(dir, 'home'), uiDir: stubUi(dir) });
    try {
      const q = `?token=${engine.token}`;
      expect(await tryUpgrade(engine.port, q, 'http://evil.example')).toBe(403);
      expect(await tryUpgrade(engine.port, q, `http://127.0.0.1:${engine.port + 1}`)).toBe(403);
      expect(await tryUpgrade(engine.port, q, 'null')).toBe(403);
      expect(await tryUpgrade(engine.port, q, `https://127.0.0.1:${engine.port}`)).toBe(403);
      expect(await tryUpgrade(engine.port, q, `http://127.0.0.1:${engine.port}`)).toBe(101);
      expect(await tryUpgrade(engine.port, q, `http://localhost:${engine.port}`)).toBe(101);
      expect(await tryUpgrade(engine.port, q)).toBe(101);
      // A foreign origin is refused before the token is even looked at.
      expect(await tryUpgrade(engine.port, '', 'http://evil.example')).toBe(403);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second keel serve on a busy port says which port is taken and how to choose another, without a stack trace', async () => {
    const dir = tempDir();
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, [join(repoRoot, 'bin', 'keel.js'), 'serve', '--port', String(port), '--home', join(dir, 'home'), '--ui', stubUi(dir)], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(code).toBe(2);
      expect(out.trim()).toBe(
        `keel serve: --port: port ${port} on 127.0.0.1 is already in use (another keel serve, or another program); choose another with --port N, or --port 0 for any free port`,
      );
    } finally {
      busy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('keeps the home private: folder 0700, databases, token and logs 0600, wider modes narrowed at start', async () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    mkdirSync(home, { mode: 0o755 });
    chmodSync(home, 0o755);
    const ui = stubUi(dir);
    const files = ['market.duckdb', 'state.sqlite', 'serve-token', join('logs', 'engine.log')].map((f) => join(home, f));
    let running: Awaited<ReturnType<typeof startServe>> | undefined;
    const serveUntilReady = async () => {
      const serve = await startServe(home, ui);
      running = serve;
      for (let i = 0; i < 300; i++) {
        const r = await call(serve.port, serve.token, 'system.status');
        if (r.ok && (r.result as { state: string }).state !== 'starting') break;
        await new Promise((res) => setTimeout(res, 100));
      }
      return serve;
    };
    try {
      let serve = await serveUntilReady();
      expect(modeOf(home)).toBe(0o700);
      expect(modeOf(join(home, 'logs'))).toBe(0o700);
      expect(files.map(modeOf)).toEqual([0o600, 0o600, 0o600, 0o600]);
      expect(await serve.stop()).toBe(0);
      // An older Keel (or a careless chmod) left them readable by everyone.
      chmodSync(home, 0o755);
      chmodSync(join(home, 'logs'), 0o755);
      for (const f of files) chmodSync(f, 0o644);
      serve = await serveUntilReady();
      expect(modeOf(home)).toBe(0o700);
      expect(modeOf(join(home, 'logs'))).toBe(0o700);
      expect(files.map(modeOf)).toEqual([0o600, 0o600, 0o600, 0o600]);
      expect(await serve.stop()).toBe(0);
    } finally {
      await running?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
