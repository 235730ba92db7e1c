// Exchange accounts: keys in the OS keychain only. Against a real Secret Service where the
// suite runs under one (scripts/test.js starts gnome-keyring in a private D-Bus session with a
// throwaway HOME); without one, that the refusal says "keychain" and stores nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient, RpcError, webSocketTransport } from '../../protocol/client';
import { WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX } from '../../protocol/index';
import { parseParams } from '../../protocol/schemas';
import { ExchangeAccounts } from '../../src/exchange/accounts';
import { ExchangeClient } from '../../src/exchange/client';
import { ExchangeSimulator } from '../../src/exchange/simulator/server';
import { Keychain } from '../../src/secrets/keychain';
import { KeychainSecrets } from '../../src/secrets/secret-store';
import { StateStore } from '../../src/state/store';
import { startServe, stubUi, type ServeChild } from '../host/serve-child';

const KEEL = join(import.meta.dirname, '../../../bin/keel.js');
const hasSessionBus = !!process.env.DBUS_SESSION_BUS_ADDRESS;
/** The suite's own keychain service: a developer's Keel entries are never touched. */
const SERVICE = `keel-test-${process.pid}`;
process.env.KEEL_KEYCHAIN_SERVICE = SERVICE;

const dirs: string[] = [];
function tempHome(): string {
  const d = mkdtempSync(join(tmpdir(), 'keel-accounts-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `keel ...` as a trader runs it, with standard input piped in. */
function keel(args: string[], home: string, stdin = '', env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KEEL, ...args], { env: { ...process.env, KEEL_HOME: home, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

const secretish = () => randomBytes(32).toString('hex');

/** Every 8-character piece of each secret: a file or an answer holding any of them holds key material. */
function leaks(text: string | Buffer, secrets: string[]): string[] {
  const hay = typeof text === 'string' ? Buffer.from(text) : text;
  const found: string[] = [];
  for (const s of secrets) {
    for (let i = 0; i + 8 <= s.length; i++) {
      if (hay.includes(s.slice(i, i + 8))) {
        found.push(s.slice(i, i + 8));
        break;
      }
    }
  }
  return found;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (statSync(p).size < 200 * 1024 * 1024) out.push(p);
  }
  return out;
}

describe('exchange accounts: what is refused before anything is stored', () => {
  it('refuses a bad name, a multi-line or missing secret, an unknown exchange, a missing passphrase', async () => {
    const home = tempHome();
    const store = StateStore.open(join(home, 'state.sqlite'));
    const accounts = new ExchangeAccounts(store, new KeychainSecrets(new Keychain(SERVICE)));
    const creds = { apiKey: 'K'.repeat(20), secret: 'S'.repeat(20) };
    await expect(accounts.add({ exchange: 'binance', name: '../x', credentials: creds })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'name' });
    // The paper account's rows are under "default": a live account of that name would share them.
    await expect(accounts.add({ exchange: 'binance', name: 'default', credentials: creds })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'name' });
    await expect(accounts.add({ exchange: 'binance', name: 'a', credentials: { apiKey: 'k1234567', secret: 'two\nlines' } })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'credentials.secret', message: expect.stringContaining('secret must be one line') });
    await expect(accounts.add({ exchange: 'binance', name: 'a', credentials: { apiKey: 'k1234567', secret: '' } })).rejects.toMatchObject({ where: 'credentials.secret', message: expect.stringContaining('secret is missing') });
    await expect(accounts.add({ exchange: 'nosuchexchange', name: 'a', credentials: creds })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'exchange' });
    await expect(accounts.add({ exchange: 'okx', name: 'a', credentials: creds })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'password' });
    expect(accounts.list()).toEqual([]);
    store.close();
  });

  it('the wire refuses a bad credential without quoting it', () => {
    const secret = `abc${secretish()}\nmore`;
    const r = parseParams('accounts.add', { exchange: 'binance', name: 'main', apiKey: 'k'.repeat(12), secret });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'BAD_INPUT', where: 'secret' });
    expect(leaks(JSON.stringify(r.error), [secret.slice(0, 40)])).toEqual([]);
    const unknown = parseParams('accounts.add', { exchange: 'binance', name: 'main', apiKey: 'k'.repeat(12), secret: 's'.repeat(12), apikey: secret });
    expect(unknown.ok).toBe(false);
  });

  it('the CLI takes no key from its arguments, and does not echo one given there', async () => {
    const home = tempHome();
    const key = secretish();
    const r = await keel(['account', 'add', '--exchange', 'binance', '--name', 'main', '--key', key], home);
    expect(r.code).toBe(2);
    expect(r.err).toContain('never from arguments');
    expect(leaks(r.out + r.err, [key])).toEqual([]);
    const r2 = await keel(['account', 'add', '--exchange', 'binance', '--name', 'main', key], home);
    expect(r2.code).toBe(2);
    expect(leaks(r2.out + r2.err, [key])).toEqual([]);
  });
});

describe('live is a deliberate act, per account', () => {
  it('needs the typed confirmation to go live (audited), none to go back to paper; through the CLI too', async () => {
    const home = tempHome();
    const store = StateStore.open(join(home, 'state.sqlite'));
    // The account's row alone: going live touches no key.
    store.addExchangeAccount({ name: 'main', exchange: 'binance', testnet: false, keyMasked: 'abcd…wxyz', createdAt: 1 });
    const accounts = new ExchangeAccounts(store, new KeychainSecrets(new Keychain(SERVICE)), () => 1_000);
    expect(() => accounts.setLive('main', true, undefined, 'test')).toThrow('confirm by typing exactly "LIVE main"');
    expect(() => accounts.setLive('main', true, 'LIVE other', 'test')).toThrow(/LIVE main/);
    expect(() => accounts.setLive('nobody', true, 'LIVE nobody', 'test')).toThrow(/no exchange account named "nobody"/);
    expect(accounts.get('main').liveSince).toBeUndefined();
    expect(accounts.setLive('main', true, 'LIVE main', 'test')).toMatchObject({ name: 'main', liveSince: 1_000 });
    expect(accounts.setLive('main', false, undefined, 'test').liveSince).toBeUndefined();
    expect(store.audit().filter((a) => a.action.startsWith('account.')).map((a) => [a.action, a.actor])).toEqual([
      ['account.live', 'test'],
      ['account.paper', 'test'],
    ]);
    store.close();
    const refused = await keel(['account', 'live', '--name', 'main'], home);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('confirm by typing exactly "LIVE main"');
    const live = await keel(['account', 'live', '--name', 'main', '--confirm', 'LIVE main'], home);
    expect(live.out).toContain('main is LIVE: its orders go to binance');
    expect((await keel(['account', 'list'], home)).out).toMatch(/^main .* LIVE$/m);
    expect((await keel(['account', 'paper', '--name', 'main'], home)).out).toContain('main is on paper');
  });
});

describe.skipIf(hasSessionBus)('exchange accounts without a keychain (DBUS_SESSION_BUS_ADDRESS unset)', () => {
  it('says "keychain" and what to do, stores nothing, and has no plain-text fallback', async () => {
    const home = tempHome();
    const key = secretish();
    const secret = secretish();
    const r = await keel(['account', 'add', '--exchange', 'binance', '--name', 'main', '--no-check'], home, `${key}\n${secret}\n`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/keychain/);
    expect(r.err).toMatch(/Secret Service .* unlock it/);
    expect(leaks(r.out + r.err, [key, secret])).toEqual([]);
    const list = await keel(['account', 'list'], home);
    expect(list.out).toContain('no exchange accounts');
    for (const f of filesUnder(home)) expect(leaks(readFileSync(f), [key, secret]), f).toEqual([]);
  });
});

// A real Secret Service: gnome-keyring in a private D-Bus session (scripts/test.js, .ci/run).
describe.skipIf(!hasSessionBus)('exchange accounts in the OS keychain (a real Secret Service)', () => {
  let sim: ExchangeSimulator;
  const key = secretish();
  const secret = secretish();
  const key2 = secretish();
  const secret2 = secretish();
  beforeAll(async () => {
    sim = await ExchangeSimulator.start({ keys: { [key]: secret, [key2]: secret2 }, tradesPerSecond: 1 });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('through the CLI: stores from standard input or the environment, lists masked, reads back, removes', async () => {
    const home = tempHome();
    const api = `http://127.0.0.1:${sim.port}`;
    const add = await keel(['account', 'add', '--exchange', 'binance', '--name', 'sim', '--api-url', api], home, `${key}\n${secret}\n`);
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(add.out).toContain(`key ${key.slice(0, 4)}…${key.slice(-4)}`);
    expect(add.out).toContain('the key cannot withdraw');
    const env = await keel(['account', 'add', '--exchange', 'binance', '--name', 'sim-env', '--api-url', api, '--no-check'], home, '', { KEEL_API_KEY: key2, KEEL_API_SECRET: secret2 });
    expect(env.code, env.err).toBe(0);
    const again = await keel(['account', 'add', '--exchange', 'binance', '--name', 'sim', '--no-check'], home, `${key}\n${secret}\n`);
    expect(again.code).toBe(2);
    expect(again.err).toContain('exists already');

    const list = await keel(['account', 'list'], home);
    expect(list.out.split('\n').filter(Boolean)).toEqual([
      `sim  binance (${api})  key ${key.slice(0, 4)}…${key.slice(-4)}  withdraw: no  paper`,
      `sim-env  binance (${api})  key ${key2.slice(0, 4)}…${key2.slice(-4)}  withdraw: not known  paper`,
    ]);
    // In the keychain, under the account's name, and only there.
    const chain = new Keychain(SERVICE);
    expect(await chain.get('sim')).toEqual({ apiKey: key, secret });
    expect(await chain.get('sim-env')).toEqual({ apiKey: key2, secret: secret2 });
    for (const f of filesUnder(home)) expect(leaks(readFileSync(f), [key, secret, key2, secret2]), f).toEqual([]);

    const rm = await keel(['account', 'remove', '--name', 'sim'], home);
    expect(rm.code, rm.err).toBe(0);
    expect(await chain.get('sim')).toBeUndefined();
    expect((await keel(['account', 'remove', '--name', 'sim'], home)).err).toContain('no exchange account named "sim"');
    await keel(['account', 'remove', '--name', 'sim-env'], home);
    expect(await chain.get('sim-env')).toBeUndefined();
    expect((await keel(['account', 'list'], home)).out).toContain('no exchange accounts');
  });

  it('through the protocol: adds, lists masked, goes live (reconciled, an external order adopted, an order placed and cancelled at the exchange), removes; no answer, log line or file carries key material', async () => {
    const home = tempHome();
    const api = `http://127.0.0.1:${sim.port}`;
    let serve: ServeChild | undefined;
    const answers: string[] = [];
    try {
      serve = await startServe(join(home, 'home'), stubUi(home));
      const ws = new WebSocket(`ws://${serve.url.host}${WS_PATH}`, [WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX + serve.token]);
      ws.on('message', (d) => answers.push(d.toString()));
      const c = new RpcClient(webSocketTransport(ws as unknown as Parameters<typeof webSocketTransport>[0]));
      await new Promise<void>((r) => c.onHello(() => r()));
      c.subscribe('log', () => {});

      const added = await c.request('accounts.add', { exchange: 'binance', name: 'sim', apiUrl: api, apiKey: key, secret });
      expect(added).toMatchObject({ account: { name: 'sim', exchange: 'binance', keyMasked: `${key.slice(0, 4)}…${key.slice(-4)}`, canWithdraw: false }, canWithdraw: false });
      // A key the exchange refuses: stored (it is the trader's to fix), and the answer says why without the key.
      const wrong = secretish();
      const bad = await c.request('accounts.add', { exchange: 'binance', name: 'wrong', apiUrl: api, apiKey: wrong, secret: secretish() });
      expect(bad.checkProblem).toMatch(/API-key|authentication|permission/i);
      const dup = await c.request('accounts.add', { exchange: 'binance', name: 'sim', apiUrl: api, apiKey: key, secret, check: false }).catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(RpcError);
      expect(dup).toMatchObject({ code: 'CONFLICT' });
      expect((await c.request('accounts.list', {})).map((a) => [a.name, a.keyMasked])).toEqual([
        ['sim', `${key.slice(0, 4)}…${key.slice(-4)}`],
        ['wrong', `${wrong.slice(0, 4)}…${wrong.slice(-4)}`],
      ]);
      expect(await new Keychain(SERVICE).get('sim')).toEqual({ apiKey: key, secret });
      await expect(c.request('accounts.setLive', { name: 'sim', live: true, confirm: 'yes' })).rejects.toMatchObject({ code: 'BAD_INPUT', where: 'confirm' });
      // An order placed by hand at the exchange: the live desk lists it and leaves it until the trader decides.
      const hand = await ExchangeClient.create({ exchange: 'binance', apiUrl: api, rateLimitMs: 0, credentials: { apiKey: key, secret } });
      const ticker = await hand.read('ticker', (ex) => ex.fetchTicker('BTC/USDT'));
      const placed = await hand.once('by hand', (ex) => ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, Math.round(Number(ticker.last) * 0.7), { newClientOrderId: 'web_by_hand_1' }));
      await hand.close();
      expect(await c.request('accounts.setLive', { name: 'sim', live: true, confirm: 'LIVE sim' })).toMatchObject({ name: 'sim', liveSince: expect.any(Number) });
      let live = await c.request('live.status', {});
      for (const t0 = Date.now(); live[0]?.state !== 'ready' && Date.now() - t0 < 20_000; live = await c.request('live.status', {})) await new Promise((r) => setTimeout(r, 200));
      expect(live).toMatchObject([{ account: 'sim', exchange: 'binance', state: 'ready', report: { external: [{ clientOrderId: 'web_by_hand_1', external: true, qty: 0.01 }], balances: [] } }]);
      const adopted = await c.request('live.resolve', { account: 'sim', clientOrderId: 'web_by_hand_1', action: 'adopt' });
      expect(adopted.order).toMatchObject({ id: `ext-${placed.id}`, status: 'accepted', owner: 'adopted' });
      expect((await c.request('live.status', {}))[0]!.report!.external).toEqual([]);
      await expect(c.request('live.resolve', { account: 'sim', clientOrderId: 'web_by_hand_1', action: 'ignore' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // An order from the ticket to the exchange, and its cancel.
      const px = Math.round(Number(ticker.last) * 0.97);
      const sent = await c.request('live.place', { account: 'sim', order: { symbol: 'binance:BTC/USDT', side: 'buy', type: 'limit', size: 0.01, sizeMode: 'qty', price: px } });
      if (!sent.ok) throw new Error(sent.reason);
      expect(sent.orderId).toMatch(/^k[0-9a-z]{3}-/);
      const state = async (id: string) => (await c.request('live.orders', { account: 'sim' })).find((o) => o.id === id)?.status;
      for (const t0 = Date.now(); (await state(sent.orderId)) !== 'accepted' && Date.now() - t0 < 10_000; ) await new Promise((r) => setTimeout(r, 100));
      expect(await state(sent.orderId)).toBe('accepted');
      expect(sim.broker.account(key).clientIdsSeen.get(sent.orderId)).toBe(1);
      expect(await c.request('live.cancel', { account: 'sim', orderId: sent.orderId })).toEqual({ cancelled: true });
      for (const t0 = Date.now(); (await state(sent.orderId)) !== 'cancelled' && Date.now() - t0 < 10_000; ) await new Promise((r) => setTimeout(r, 100));
      expect(await state(sent.orderId)).toBe('cancelled');
      // The paper desk's journal does not hold live orders.
      expect((await c.request('orders.list', { scope: 'all' })).some((o) => o.id === sent.orderId)).toBe(false);
      expect(await c.request('accounts.setLive', { name: 'sim', live: false })).not.toHaveProperty('liveSince');
      expect(await c.request('live.status', {})).toEqual([]);
      expect(await c.request('accounts.remove', { name: 'wrong' })).toEqual({ removed: true });
      expect(await new Keychain(SERVICE).get('wrong')).toBeUndefined();
      const logs = await c.request('system.logs', { limit: 2000 });
      expect(logs.map((l) => l.message).join('\n')).toContain('exchange account sim (binance) added');
      await c.request('accounts.remove', { name: 'sim' });
      expect(await new Keychain(SERVICE).get('sim')).toBeUndefined();
      ws.close();
    } finally {
      await serve?.stop();
    }
    const secrets = [key, secret];
    expect(answers.length).toBeGreaterThan(5);
    expect(leaks(answers.join('\n'), secrets)).toEqual([]);
    expect(leaks(serve!.output(), secrets)).toEqual([]);
    const files = filesUnder(join(home, 'home'));
    expect(files.some((f) => f.endsWith('state.sqlite'))).toBe(true);
    expect(files.some((f) => f.includes('engine.log'))).toBe(true);
    for (const f of files) expect(leaks(readFileSync(f), secrets), f).toEqual([]);
    expect(existsSync(join(home, 'home', 'state.sqlite'))).toBe(true);
  });
});
