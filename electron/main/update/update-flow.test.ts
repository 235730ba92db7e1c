import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureRequestOptions, configureRequestUrl, HttpExecutor, type DownloadOptions } from 'builder-util-runtime';
import type { RequestOptions } from 'node:https';
import { NsisUpdater, type AppUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter';
import { EngineApp } from '../../../engine/src/app/engine-app';
import { serveParentPort } from '../../../engine/src/host/parent-port';
import type { ParentPortLike } from '../../../engine/src/host/port-transport';
import type { EngineToMain, Exposure, MainToEngine } from '../../../engine/protocol/control';
import { PendingReplies } from '../../../engine/protocol/pending-replies';
import { electronUpdaterBackend } from './backend';
import { UpdateController, type UpdateState, type UpdaterBackend } from './controller';

/**
 * The update flow offline: the real electron-updater (its NSIS updater, which reads
 * latest.yml / beta.yml as Windows builds do) against an HTTPS update server on 127.0.0.1
 * with a throwaway certificate, behind Keel's controller, whose install gate asks a real
 * engine over the control channel what is open.
 */

const dir = mkdtempSync(join(tmpdir(), 'keel-update-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------- the update server ----------

function makeCert(): { key: Buffer; cert: Buffer } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

const tls = makeCert();
const files = new Map<string, Buffer>();
const requested: string[] = [];
let server: Server;
let feed: string;

beforeAll(async () => {
  server = createServer(tls, (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'https://x').pathname).slice(1);
    requested.push(path);
    const body = files.get(path);
    if (!body) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'Content-Length': body.length, 'Content-Type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  feed = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  files.clear();
  requested.length = 0;
});

const sha512 = (b: Buffer): string => createHash('sha512').update(b).digest('base64');

/** Publishes an installer and its manifest the way electron-builder writes them (latest.yml, beta.yml). */
function publish(version: string, opts: { channel?: 'latest' | 'beta'; installer?: Buffer; manifestSha?: string } = {}): Buffer {
  const installer = opts.installer ?? randomBytes(3 << 20);
  const name = `Keel-Setup-${version}.exe`;
  files.set(name, installer);
  const sha = opts.manifestSha ?? sha512(installer);
  files.set(
    `${opts.channel ?? 'latest'}.yml`,
    Buffer.from(`version: ${version}\nfiles:\n  - url: ${name}\n    sha512: ${sha}\n    size: ${installer.length}\npath: ${name}\nsha512: ${sha}\nreleaseDate: '2025-06-01T10:00:00.000Z'\n`),
  );
  return installer;
}

// ---------- electron-updater under plain Node ----------

/** builder-util-runtime's HTTP client over node:https, trusting only the test certificate (Electron's net does this in the app). */
class NodeExecutor extends HttpExecutor<ReturnType<typeof request>> {
  /** As ElectronHttpExecutor.download (builder-util's NodeHttpExecutor does the same): the checksum is checked in doDownload. */
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers || undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(requestOptions, { destination, options, onCancel, callback: (e) => (e == null ? resolve(destination) : reject(e)), responseHandler: null }, 0);
    });
  }

  createRequest(options: RequestOptions, callback: (response: unknown) => void): ReturnType<typeof request> {
    return request({ ...(options as object), ca: tls.cert }, callback);
  }
}

let n = 0;
function realUpdater(version = '1.0.0', appUpdateYml = ''): AppUpdater {
  const home = join(dir, `app-${++n}`);
  mkdirSync(home, { recursive: true });
  const config = join(home, 'app-update.yml');
  writeFileSync(config, `provider: generic\nurl: ${feed}\nupdaterCacheDirName: keel-updater\n${appUpdateYml}`);
  const app: AppAdapter = {
    version,
    name: 'Keel',
    isPackaged: true,
    appUpdateConfigPath: config,
    userDataPath: home,
    baseCachePath: join(home, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: () => undefined,
    quit: () => undefined,
    onQuit: () => undefined,
  };
  const u = new NsisUpdater(null, app);
  // What the library's own tests set: Windows' manifest names, and an HTTP client that runs without Electron.
  (u as unknown as { _testOnlyOptions: unknown })._testOnlyOptions = { platform: 'win32' };
  (u as unknown as { httpExecutor: unknown }).httpExecutor = new NodeExecutor();
  u.logger = null;
  return u;
}

/** The real backend; only the last step (running the Windows installer) is recorded instead of run. */
function backendOf(u: AppUpdater): UpdaterBackend & { installs: number } {
  const b = electronUpdaterBackend(u);
  const out = { ...b, installs: 0, currentVersion: b.currentVersion };
  out.install = () => void out.installs++;
  return out;
}

// ---------- the engine on the other end of the control channel ----------

/** process.parentPort as the engine sees it; main's side answers through PendingReplies as EngineProcess does. */
class ControlChannel extends EventEmitter implements ParentPortLike {
  readonly replies = new PendingReplies<Exposure>('exposure', 2_000);
  postMessage(m: unknown): void {
    const msg = m as EngineToMain;
    if (msg.type === 'exposure') this.replies.settle(msg.id, { value: msg.exposure, error: msg.error });
  }
  exposure(): Promise<Exposure> {
    return this.replies.ask((id) => this.emit('message', { data: { type: 'exposure', id } satisfies MainToEngine, ports: [] }));
  }
}

interface Harness {
  controller: UpdateController;
  backend: UpdaterBackend & { installs: number };
  states: UpdateState[];
  deferrals: string[];
  offers: string[];
  stoppedEngine: number;
}

function harness(u: AppUpdater, exposure: () => Promise<Exposure>, answer = true, channel: 'stable' | 'beta' = 'stable'): Harness {
  const backend = backendOf(u);
  const h: Harness = { backend, states: [], deferrals: [], offers: [], stoppedEngine: 0, controller: undefined as unknown as UpdateController };
  h.controller = new UpdateController({
    backend,
    exposure,
    channel,
    ui: {
      offerRestart: async (v) => (h.offers.push(v), answer),
      deferred: (_v, reason) => void h.deferrals.push(reason),
    },
    beforeInstall: async () => void h.stoppedEngine++,
    log: () => undefined,
    exposureTimeoutMs: 1_000,
    askAgainMs: 60_000,
  });
  h.controller.onState((s) => h.states.push(s));
  return h;
}

/** Waits (bounded) until the engine's desk has caught up with a request: venue acknowledgements come a moment later. */
async function until(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300 && !(await done()); i++) await new Promise((r) => setTimeout(r, 10));
}

const nothingOpen = async (): Promise<Exposure> => ({ clear: true, positions: [], workingOrders: [], strategies: [], summary: 'nothing open' });

describe('the update flow against a local HTTPS update server', () => {
  it('checks, downloads in the background with progress, and installs on a restart with nothing open', async () => {
    publish('1.1.0');
    const h = harness(realUpdater('1.0.0'), nothingOpen);
    const end = await h.controller.check();
    expect(h.states.map((s) => s.state)).toEqual(expect.arrayContaining(['checking', 'downloading', 'ready', 'installing']));
    expect(h.states.map((s) => s.state).indexOf('ready')).toBeGreaterThan(h.states.map((s) => s.state).indexOf('downloading'));
    const progress = h.states.filter((s): s is Extract<UpdateState, { state: 'downloading' }> => s.state === 'downloading').map((s) => s.percent);
    expect(progress.at(-1)).toBe(100);
    expect(h.offers).toEqual(['1.1.0']);
    expect(end).toEqual({ state: 'installing', version: '1.1.0' });
    expect(h.stoppedEngine).toBe(1);
    expect(h.backend.installs).toBe(1);
    expect(requested).toContain('latest.yml');
    expect(requested).toContain('Keel-Setup-1.1.0.exe');
  });

  it('says up to date when the feed offers the running version, and downloads nothing', async () => {
    publish('1.0.0');
    const h = harness(realUpdater('1.0.0'), nothingOpen);
    expect(await h.controller.check()).toEqual({ state: 'up-to-date', latest: '1.0.0' });
    expect(requested).toEqual(['latest.yml']);
  });

  it('refuses a downgrade: an older version on the feed is neither downloaded nor installed', async () => {
    publish('0.9.0');
    const h = harness(realUpdater('1.0.0'), nothingOpen);
    const end = await h.controller.check();
    expect(end).toMatchObject({ state: 'up-to-date', latest: '0.9.0', note: expect.stringContaining('not newer than 1.0.0: refused') });
    expect(requested).toEqual(['latest.yml']);
    expect(await h.controller.installNow()).toBe(false);
    expect(h.backend.installs).toBe(0);
  });

  it('refuses a downgrade on the beta channel too (electron-updater allows one when a channel is set; Keel turns it off)', async () => {
    publish('1.0.0-beta.3', { channel: 'beta' });
    const u = realUpdater('1.0.0');
    const h = harness(u, nothingOpen, true, 'beta');
    expect(await h.controller.check()).toMatchObject({ state: 'up-to-date', latest: '1.0.0-beta.3', note: expect.stringContaining('refused') });
    expect(requested).toEqual(['beta.yml']);
    expect(h.backend.installs).toBe(0);
    // The library itself, as configured, does not offer it either (the controller's own check is the second lock).
    expect((await u.checkForUpdates())?.isUpdateAvailable).toBe(false);
  });

  it('reads beta.yml on the beta channel and latest.yml on stable', async () => {
    publish('1.0.1');
    publish('1.1.0-beta.2', { channel: 'beta' });
    const beta = harness(realUpdater('1.0.0'), nothingOpen, false, 'beta');
    expect(await beta.controller.check()).toEqual({ state: 'ready', version: '1.1.0-beta.2' });
    expect(requested.filter((p) => p.endsWith('.yml'))).toEqual(['beta.yml']);
    requested.length = 0;
    const stable = harness(realUpdater('1.0.0'), nothingOpen, false, 'stable');
    expect(await stable.controller.check()).toEqual({ state: 'ready', version: '1.0.1' });
    expect(requested.filter((p) => p.endsWith('.yml'))).toEqual(['latest.yml']);
  });

  it('refuses a tampered manifest: an installer whose checksum differs from latest.yml never becomes installable', async () => {
    const genuine = randomBytes(1 << 20);
    publish('1.1.0', { installer: genuine });
    // The installer on the server is swapped after the manifest was signed off.
    const tampered = Buffer.from(genuine);
    tampered[1000] ^= 0xff;
    files.set('Keel-Setup-1.1.0.exe', tampered);
    const h = harness(realUpdater('1.0.0'), nothingOpen);
    const end = await h.controller.check();
    expect(end).toMatchObject({ state: 'error', version: '1.1.0', message: expect.stringMatching(/sha512 checksum mismatch/) });
    expect(h.states.some((s) => s.state === 'ready')).toBe(false);
    expect(h.offers).toEqual([]);
    expect(await h.controller.installNow()).toBe(false);
    expect(h.backend.installs).toBe(0);
  });

  it('refuses a manifest that does not parse, or names no version', async () => {
    files.set('latest.yml', Buffer.from('version: [\n  - : :\n'));
    const h = harness(realUpdater('1.0.0'), nothingOpen);
    expect(await h.controller.check()).toMatchObject({ state: 'error', message: expect.stringContaining('update check failed') });
    files.set('latest.yml', Buffer.from('files: []\n'));
    expect(await h.controller.check()).toMatchObject({ state: 'error' });
    expect(h.backend.installs).toBe(0);
  });

  it('keeps signature checks on: an installer the OS says another publisher signed is refused', async () => {
    publish('1.1.0');
    const u = realUpdater('1.0.0', 'publisherName:\n  - Keel authors\n');
    const seen: string[][] = [];
    // Stands in for Windows' Authenticode answer (PowerShell), which this machine does not have.
    (u as NsisUpdater).verifyUpdateCodeSignature = async (names) => (seen.push(names), 'signed by CN=Somebody Else');
    const h = harness(u, nothingOpen);
    expect(await h.controller.check()).toMatchObject({ state: 'error', message: expect.stringContaining('not signed by the application owner') });
    expect(seen).toEqual([['Keel authors']]);
    expect(h.backend.installs).toBe(0);
  });

  it('fails closed when the engine does not answer: the update waits and the trader is told why', async () => {
    publish('1.1.0');
    const silent = (): Promise<Exposure> => new Promise(() => undefined);
    const h = harness(realUpdater('1.0.0'), silent);
    const end = await h.controller.check();
    expect(end).toMatchObject({ state: 'deferred', version: '1.1.0', reason: expect.stringContaining('could not ask the engine') });
    expect(h.deferrals[0]).toContain('did not answer within 1 s');
    expect(h.stoppedEngine).toBe(0);
    expect(h.backend.installs).toBe(0);
    // Quitting does not install it either.
    expect(await h.controller.onQuit()).toBe(false);
    expect(h.backend.installs).toBe(0);
  });
});

describe('the install gate asks a real engine over the control channel', () => {
  const home = mkdtempSync(join(tmpdir(), 'keel-update-engine-'));
  const channel = new ControlChannel();
  const app = new EngineApp({ home, mode: 'electron', logFiles: false });
  beforeAll(async () => {
    await serveParentPort(channel, app, () => undefined);
  });
  afterAll(async () => {
    await app.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('defers while an order is working or a position is open, names them, and installs once both are gone', async () => {
    publish('1.1.0');
    const h = harness(realUpdater('1.0.0'), () => channel.exposure());
    const close = (await app.handlers['data.bars']({ symbol: 'BTC/USDT', timeframe: '5m', limit: 1 })).close[0]!;

    const placed = await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', price: Math.round(close * 0.97), size: 0.01, sizeMode: 'qty' });
    expect(placed).toMatchObject({ ok: true });
    const bought = await app.handlers['orders.place']({ symbol: 'BTC/USDT', side: 'buy', type: 'market', size: 0.02, sizeMode: 'qty' });
    expect(bought.ok).toBe(true);
    await until(async () => (await app.handlers['positions.list']({})).some((p) => p.qty !== 0));

    const end = await h.controller.check();
    expect(end).toMatchObject({ state: 'deferred', version: '1.1.0' });
    const reason = (end as { reason: string }).reason;
    expect(reason).toContain('1 position open (BTC/USDT 0.02 on manual)');
    expect(reason).toContain('1 order working (buy limit 0.01 BTC/USDT)');
    expect(h.deferrals).toEqual([reason]);
    expect(h.backend.installs).toBe(0);
    expect(await h.controller.onQuit()).toBe(false);
    expect(h.backend.installs).toBe(0);

    // The trader cancels the order: still a position.
    await app.handlers['orders.cancelAll']({});
    await until(async () => (await app.handlers['orders.list']({ scope: 'working' })).length === 0);
    expect(await h.controller.installNow()).toBe(false);
    expect(h.controller.state).toMatchObject({ state: 'deferred', reason: '1 position open (BTC/USDT 0.02 on manual)' });

    // Flat: the next restart installs.
    await app.handlers['positions.flatten']({});
    await until(async () => !(await app.handlers['positions.list']({})).some((p) => p.qty !== 0));
    expect(await h.controller.installNow()).toBe(true);
    expect(h.controller.state).toEqual({ state: 'installing', version: '1.1.0' });
    expect(h.stoppedEngine).toBe(1);
    expect(h.backend.installs).toBe(1);
  });

  it('counts a running strategy as open', async () => {
    const s = await app.handlers['strategies.start']({ strategy: 'sma-cross', symbol: 'BTC/USDT', timeframe: '5m', params: {}, allocation: 1000 } as never);
    try {
      const e = await channel.exposure();
      expect(e.clear).toBe(false);
      expect(e.summary).toMatch(/1 strategy running \(.* on BTC\/USDT 5m\)/);
    } finally {
      await app.handlers['strategies.control']({ id: s.id, action: 'stop' });
    }
    await until(async () => (await channel.exposure()).clear);
    expect((await channel.exposure()).clear).toBe(true);
  });

  it('an engine without its trading desk cannot say "nothing open": the gate stays shut', async () => {
    const bare = new EngineApp({ home: join(home, 'bare'), mode: 'electron', logFiles: false, openServices: async () => ({}) });
    const ch = new ControlChannel();
    await serveParentPort(ch, bare, () => undefined);
    try {
      await expect(ch.exposure()).rejects.toThrow(/paper trading session is not available/);
      publish('1.1.0');
      const h = harness(realUpdater('1.0.0'), () => ch.exposure());
      expect(await h.controller.check()).toMatchObject({ state: 'deferred', reason: expect.stringContaining('paper trading session is not available') });
      expect(h.backend.installs).toBe(0);
    } finally {
      await bare.close();
    }
  });
});
