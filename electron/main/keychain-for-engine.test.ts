// Under Electron main alone opens the keychain and the engine asks it over the control channel.
// No Electron binary here: a real child process runs the engine's real utility entry, its
// process.parentPort made from the IPC channel (engine/test/host/utility-stand-in.ts), with a
// D-Bus address that leads nowhere, so it could not open a Secret Service if it tried. The test
// plays main: it relays the engine's keychain requests to main's answerKeychain, which runs in
// a second child whose environment decides whether main has a keychain at all.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient, RpcError, type ClientTransport } from '../../engine/protocol/client';
import type { EngineToMain, KeychainAnswer, KeychainRequest, MainToEngine } from '../../engine/protocol/control';
import type { ServerMessage } from '../../engine/protocol/index';
import { PendingReplies } from '../../engine/protocol/pending-replies';
import { ExchangeSimulator } from '../../engine/src/exchange/simulator/server';
import { Keychain } from '../../engine/src/secrets/keychain';
import { StateStore } from '../../engine/src/state/store';
import type { StandInMessage } from '../../engine/test/host/utility-stand-in';

const root = join(import.meta.dirname, '..', '..');
const hasSessionBus = !!process.env.DBUS_SESSION_BUS_ADDRESS;
/** A session bus that does not exist: no Secret Service can be reached through it. */
const NO_BUS = 'unix:path=/nonexistent/keel-no-session-bus';
const SERVICE = `keel-test-main-${process.pid}`;

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempHome(): string {
  const d = mkdtempSync(join(tmpdir(), 'keel-main-keychain-'));
  dirs.push(d);
  return d;
}

const secretish = (): string => randomBytes(32).toString('hex');

/** Every 8-character piece of each secret: text holding any of them holds key material. */
function leaks(text: string | Buffer, secrets: string[]): string[] {
  const hay = typeof text === 'string' ? Buffer.from(text) : text;
  return secrets.flatMap((s) => {
    for (let i = 0; i + 8 <= s.length; i++) if (hay.includes(s.slice(i, i + 8))) return [s.slice(i, i + 8)];
    return [];
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : statSync(p).size < 200 * 1024 * 1024 ? [p] : [];
  });
}

function tsxChild(args: string[], env: Record<string, string | undefined>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
  children.push(child);
  return child;
}

/**
 * Main's keychain side (answerKeychain over the one Keychain module) in a process of its own,
 * so that whether main has a Secret Service is the test's choice, not this machine's.
 */
function startMainKeychain(busAddress: string | undefined): { ask(r: KeychainRequest): Promise<KeychainAnswer>; stop(): void } {
  const script = [
    `import { Keychain } from ${JSON.stringify(join(root, 'engine/src/secrets/keychain.ts'))};`,
    `import { answerKeychain } from ${JSON.stringify(join(root, 'electron/main/keychain-for-engine.ts'))};`,
    `const keychain = new Keychain(${JSON.stringify(SERVICE)});`,
    `process.on('message', async ({ id, request }) => process.send({ id, answer: await answerKeychain(keychain, request) }));`,
  ].join('\n');
  const child = tsxChild(['--input-type=module', '-e', script], { ...process.env, DBUS_SESSION_BUS_ADDRESS: busAddress });
  const replies = new PendingReplies<KeychainAnswer>('keychain', 60_000, "main's keychain");
  child.on('message', (m: { id: number; answer: KeychainAnswer }) => replies.settle(m.id, { value: m.answer }));
  return {
    ask: (request) => replies.ask((id) => child.send({ id, request })),
    stop: () => void child.kill(),
  };
}

interface EngineUnderMain {
  client: RpcClient;
  /** The keychain requests the engine sent main, in order (their kind and account only). */
  asked: string[];
  /** Everything the page was sent, as text. */
  pageTraffic: string[];
  output(): string;
  shutdown(): Promise<number | null>;
}

/** The engine's utility entry in a child without a Secret Service, main played by this test. */
async function startEngine(home: string, main: { ask(r: KeychainRequest): Promise<KeychainAnswer> }): Promise<EngineUnderMain> {
  const child = tsxChild([join(root, 'engine/test/host/utility-stand-in.ts')], {
    ...process.env,
    DBUS_SESSION_BUS_ADDRESS: NO_BUS,
    KEEL_HOME: home,
    KEEL_ENGINE: 'electron',
    KEEL_KEYCHAIN_SERVICE: SERVICE,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const send = (m: StandInMessage): void => void child.send(m);
  const asked: string[] = [];
  const pageTraffic: string[] = [];
  const toPage: ((m: ServerMessage) => void)[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    void exited.then((code) => reject(new Error(`the engine exited with ${code} before it was ready:\n${out}`)));
    child.on('message', (m: StandInMessage) => {
      if ('window' in m) {
        pageTraffic.push(JSON.stringify(m.data));
        for (const fn of toPage) fn(m.data as ServerMessage);
        return;
      }
      const c = m.control as EngineToMain;
      if (c.type === 'ready') resolve();
      else if (c.type === 'keychain') {
        // As EngineProcess does: main answers the engine that asked.
        asked.push(`${c.request.op}${'account' in c.request ? ` ${c.request.account}` : ''}`);
        void main.ask(c.request).then((answer) => send({ control: { type: 'keychain', id: c.id, answer } satisfies MainToEngine }));
      }
    });
  });
  await ready;
  send({ control: { type: 'connect', windowId: 1 } satisfies MainToEngine });
  const transport: ClientTransport = { send: (msg) => send({ window: 1, data: msg }), onMessage: (fn) => void toPage.push(fn) };
  return {
    client: new RpcClient(transport),
    asked,
    pageTraffic,
    output: () => out,
    async shutdown() {
      send({ control: { type: 'shutdown' } satisfies MainToEngine });
      return exited;
    },
  };
}

describe.skipIf(!hasSessionBus)('the engine under Electron gets its keys from main (main has a real Secret Service, the engine none)', () => {
  let sim: ExchangeSimulator;
  const key = secretish();
  const secret = secretish();
  beforeAll(async () => {
    sim = await ExchangeSimulator.start({ keys: { [key]: secret }, tradesPerSecond: 1 });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('adds an account (main stores the key), trades live with the key main read (signed requests the exchange accepts), removes it (main deletes the key); nothing the page sees, no log and no file carries key material', async () => {
    const home = tempHome();
    const main = startMainKeychain(process.env.DBUS_SESSION_BUS_ADDRESS);
    const engine = await startEngine(home, main);
    const c = engine.client;
    const api = `http://127.0.0.1:${sim.port}`;
    try {
      // The key goes page -> engine -> main -> keychain; the check asks the exchange with the key main hands back.
      const added = await c.request('accounts.add', { exchange: 'binance', name: 'sim', apiUrl: api, apiKey: key, secret });
      expect(added).toMatchObject({ account: { name: 'sim', keyMasked: `${key.slice(0, 4)}…${key.slice(-4)}`, canWithdraw: false }, canWithdraw: false });
      expect(engine.asked).toEqual(['set sim', 'get sim']);
      // In the OS keychain, written by main: the engine could not have (it has no Secret Service).
      expect(await new Keychain(SERVICE).get('sim')).toEqual({ apiKey: key, secret });

      // Live: the desk reconciles with the exchange, every request signed with the secret main read.
      await c.request('accounts.setLive', { name: 'sim', live: true, confirm: 'LIVE sim' });
      let live = await c.request('live.status', {});
      for (const t0 = Date.now(); live[0]?.state !== 'ready' && Date.now() - t0 < 30_000; live = await c.request('live.status', {})) await new Promise((r) => setTimeout(r, 200));
      expect(live).toMatchObject([{ account: 'sim', state: 'ready', report: { external: [] } }]);
      expect(engine.asked.filter((a) => a === 'get sim').length).toBeGreaterThanOrEqual(2);
      await c.request('accounts.setLive', { name: 'sim', live: false });

      expect(await c.request('accounts.remove', { name: 'sim' })).toEqual({ removed: true });
      expect(engine.asked.at(-1)).toBe('delete sim');
      expect(await new Keychain(SERVICE).get('sim')).toBeUndefined();
      const logs = await c.request('system.logs', { limit: 2000 });
      expect(logs.map((l) => l.message).join('\n')).toContain('exchange account sim (binance) added');
      expect(logs.map((l) => l.message).join('\n')).not.toMatch(/keychain.*(unavailable|locked)/i);
    } finally {
      expect(await engine.shutdown()).toBe(0);
      main.stop();
    }
    const secrets = [key, secret];
    expect(engine.pageTraffic.length).toBeGreaterThan(5);
    expect(leaks(engine.pageTraffic.join('\n'), secrets)).toEqual([]);
    expect(leaks(engine.output(), secrets)).toEqual([]);
    const files = filesUnder(home);
    expect(files.some((f) => f.endsWith('state.sqlite'))).toBe(true);
    expect(files.some((f) => f.includes('engine.log'))).toBe(true);
    for (const f of files) expect(leaks(readFileSync(f), secrets), f).toEqual([]);
  });
});

describe('the engine under Electron when main has no keychain', () => {
  it('refuses to add an account with the "keychain" message and what to do, stores nothing anywhere, and a live account cannot get its key: no plain-text fallback', async () => {
    const home = tempHome();
    // An account added earlier, when there was a keychain: its row only.
    const store = StateStore.open(join(home, 'state.sqlite'));
    store.addExchangeAccount({ name: 'old', exchange: 'binance', testnet: false, apiUrl: 'http://127.0.0.1:9', keyMasked: 'abcd…wxyz', createdAt: 1 });
    store.close();
    const main = startMainKeychain(NO_BUS);
    const engine = await startEngine(home, main);
    const c = engine.client;
    const key = secretish();
    const secret = secretish();
    try {
      const refused = await c.request('accounts.add', { exchange: 'binance', name: 'new', apiKey: key, secret, check: false }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RpcError);
      expect(refused).toMatchObject({ code: 'UNAVAILABLE', where: 'keychain' });
      expect((refused as Error).message).toMatch(/no OS keychain is available or it is locked/);
      expect((refused as Error).message).toMatch(/Secret Service .* unlock it/);
      expect(leaks((refused as Error).message, [key, secret])).toEqual([]);
      // It was main that was asked, and main that said no.
      expect(engine.asked).toEqual(['set new']);
      expect((await c.request('accounts.list', {})).map((a) => a.name)).toEqual(['old']);

      await c.request('accounts.setLive', { name: 'old', live: true, confirm: 'LIVE old' });
      let live = await c.request('live.status', {});
      for (const t0 = Date.now(); !/keychain/.test(live[0]?.reason ?? '') && Date.now() - t0 < 30_000; live = await c.request('live.status', {})) await new Promise((r) => setTimeout(r, 200));
      expect(live[0]).toMatchObject({ account: 'old', reason: expect.stringContaining('keychain') });
      expect(live[0]!.state).not.toBe('ready');
      expect(engine.asked).toContain('get old');
    } finally {
      expect(await engine.shutdown()).toBe(0);
      main.stop();
    }
    expect(leaks(engine.pageTraffic.join('\n') + engine.output(), [key, secret])).toEqual([]);
    for (const f of filesUnder(home)) expect(leaks(readFileSync(f), [key, secret]), f).toEqual([]);
  });
});
