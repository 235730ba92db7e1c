import type { Exposure } from '../../../engine/protocol/control';

/**
 * The update flow, free of Electron so it runs (and is tested) under plain Node: check the
 * feed, download in the background with progress, and install only on a restart that
 * finds nothing open. Before it installs it asks the engine what is open (positions,
 * working orders, running strategies); when anything is, or when the engine cannot answer
 * in time, the update waits and the trader is told why and asked again later. Installing
 * restarts Keel, so it must never cut a trade in half: the gate fails closed.
 */

export type UpdateChannel = 'stable' | 'beta';

export interface UpdateProgress {
  percent: number;
  transferred: number;
  total: number;
  bytesPerSecond: number;
}

/** What the feed offers, and whether it is newer than the running version. */
export interface UpdateOffer {
  version: string;
  newer: boolean;
  releaseDate?: string;
}

/** The updater library behind a small seam (backend.ts wraps electron-updater). */
export interface UpdaterBackend {
  readonly currentVersion: string;
  setChannel(channel: UpdateChannel): void;
  /** Asks the feed. Rejects on an unreachable feed or a manifest that does not parse. */
  check(): Promise<UpdateOffer>;
  /** Downloads the offered version; rejects when its checksum or signature does not match. */
  download(onProgress: (p: UpdateProgress) => void): Promise<void>;
  /** Quits and runs the installer. */
  install(): void;
}

export type UpdateState =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'up-to-date'; latest: string; note?: string }
  | { state: 'downloading'; version: string; percent: number }
  | { state: 'ready'; version: string }
  | { state: 'deferred'; version: string; reason: string; askAgainAt: number }
  | { state: 'installing'; version: string }
  | { state: 'error'; message: string; version?: string };

export interface UpdateUi {
  /** A downloaded update: may Keel restart now to install it? */
  offerRestart(version: string): Promise<boolean>;
  /** The install waits: say why (shown, not silently logged). */
  deferred(version: string, reason: string): void;
}

export interface UpdateControllerOptions {
  backend: UpdaterBackend;
  /** Asks the engine what is open; rejects when it cannot tell. */
  exposure(): Promise<Exposure>;
  ui: UpdateUi;
  /** Runs after the gate passed, before the installer: stop the engine cleanly. */
  beforeInstall(): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  channel?: UpdateChannel;
  /** The engine gets this long to answer before the gate counts it as "cannot tell". */
  exposureTimeoutMs?: number;
  /** How long a deferred update waits before the trader is asked again. */
  askAgainMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => () => void;
}

const defaultTimer = (fn: () => void, ms: number): (() => void) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return () => clearTimeout(t);
};

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class UpdateController {
  private current: UpdateState = { state: 'idle' };
  private readonly listeners = new Set<(s: UpdateState) => void>();
  private readonly o: Required<Omit<UpdateControllerOptions, 'channel'>>;
  private cancelAskAgain: (() => void) | undefined;
  private channel: UpdateChannel;

  constructor(opts: UpdateControllerOptions) {
    this.o = { exposureTimeoutMs: 5_000, askAgainMs: 30 * 60_000, now: Date.now, setTimer: defaultTimer, ...opts };
    this.channel = opts.channel ?? 'stable';
    this.o.backend.setChannel(this.channel);
  }

  get state(): UpdateState {
    return this.current;
  }

  onState(fn: (s: UpdateState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(s: UpdateState): void {
    this.current = s;
    for (const fn of this.listeners) fn(s);
  }

  private get busy(): boolean {
    return ['checking', 'downloading', 'installing'].includes(this.current.state);
  }

  /** The version downloaded and waiting for a restart, if any. */
  private get waiting(): string | undefined {
    const s = this.current;
    return s.state === 'ready' || s.state === 'deferred' ? s.version : undefined;
  }

  setChannel(channel: UpdateChannel): void {
    this.channel = channel;
    this.o.backend.setChannel(channel);
  }

  getChannel(): UpdateChannel {
    return this.channel;
  }

  /**
   * Looks for an update (at start and from the menu) and downloads a newer one in the
   * background. An older version is never taken, whatever the feed says. With an update
   * already waiting, a check offers the restart again instead.
   */
  async check(): Promise<UpdateState> {
    if (this.busy) return this.current;
    const waiting = this.waiting;
    if (waiting) {
      await this.offer(waiting);
      return this.current;
    }
    this.set({ state: 'checking' });
    let offer: UpdateOffer;
    try {
      offer = await this.o.backend.check();
    } catch (e) {
      this.o.log('warn', `update check failed: ${message(e)}`);
      this.set({ state: 'error', message: `update check failed: ${message(e)}` });
      return this.current;
    }
    const current = this.o.backend.currentVersion;
    if (!offer.newer) {
      const note = offer.version !== current ? `the ${this.channel} feed offers ${offer.version}, not newer than ${current}: refused` : undefined;
      if (note) this.o.log('warn', `update ${note}`);
      this.set({ state: 'up-to-date', latest: offer.version, ...(note ? { note } : {}) });
      return this.current;
    }
    this.o.log('info', `update ${offer.version} available (running ${current}); downloading`);
    this.set({ state: 'downloading', version: offer.version, percent: 0 });
    try {
      await this.o.backend.download((p) => this.set({ state: 'downloading', version: offer.version, percent: Math.max(0, Math.min(100, p.percent)) }));
    } catch (e) {
      this.o.log('error', `update ${offer.version} refused: ${message(e)}`);
      this.set({ state: 'error', version: offer.version, message: `update ${offer.version} refused: ${message(e)}` });
      return this.current;
    }
    this.o.log('info', `update ${offer.version} downloaded; it installs on a restart with nothing open`);
    this.set({ state: 'ready', version: offer.version });
    await this.offer(offer.version);
    return this.current;
  }

  private async offer(version: string): Promise<void> {
    if (await this.o.ui.offerRestart(version)) await this.installNow();
  }

  /** What is open, or why that cannot be known (which counts as "not clear"). */
  private async ask(): Promise<{ clear: true } | { clear: false; reason: string }> {
    let cancel: (() => void) | undefined;
    const timeout = new Promise<never>((_, reject) => {
      cancel = this.o.setTimer(() => reject(new Error(`the engine did not answer within ${this.o.exposureTimeoutMs / 1000} s`)), this.o.exposureTimeoutMs);
    });
    try {
      const e = await Promise.race([this.o.exposure(), timeout]);
      if (e && e.clear === true) return { clear: true };
      return { clear: false, reason: e?.summary ? `${e.summary}` : 'the engine gave no usable answer' };
    } catch (err) {
      return { clear: false, reason: `Keel could not ask the engine what is open (${message(err)})` };
    } finally {
      cancel?.();
    }
  }

  /**
   * Installs the waiting update now if nothing is open; otherwise it waits, the trader is
   * told why, and asked again after `askAgainMs`. Returns whether the installer was started.
   */
  async installNow(): Promise<boolean> {
    const version = this.waiting;
    if (!version) return false;
    this.cancelAskAgain?.();
    this.cancelAskAgain = undefined;
    const gate = await this.ask();
    if (!gate.clear) {
      const askAgainAt = this.o.now() + this.o.askAgainMs;
      this.o.log('info', `update ${version} waits: ${gate.reason}`);
      this.set({ state: 'deferred', version, reason: gate.reason, askAgainAt });
      this.o.ui.deferred(version, gate.reason);
      this.cancelAskAgain = this.o.setTimer(() => {
        this.cancelAskAgain = undefined;
        if (this.waiting === version) void this.offer(version);
      }, this.o.askAgainMs);
      return false;
    }
    return this.install(version);
  }

  private async install(version: string): Promise<boolean> {
    this.set({ state: 'installing', version });
    this.o.log('info', `installing update ${version}: nothing open`);
    try {
      await this.o.beforeInstall();
      this.o.backend.install();
      return true;
    } catch (e) {
      this.o.log('error', `update ${version} could not be installed: ${message(e)}`);
      this.set({ state: 'error', version, message: `update ${version} could not be installed: ${message(e)}` });
      return false;
    }
  }

  /**
   * Keel is quitting: a waiting update installs now only if nothing is open. Returns
   * whether the installer took over the quit; otherwise Keel quits as usual and the
   * update waits for a later restart.
   */
  async onQuit(): Promise<boolean> {
    const version = this.waiting;
    if (!version) return false;
    this.cancelAskAgain?.();
    const gate = await this.ask();
    if (!gate.clear) {
      this.o.log('info', `update ${version} not installed on quit: ${gate.reason}`);
      return false;
    }
    return this.install(version);
  }

  dispose(): void {
    this.cancelAskAgain?.();
    this.listeners.clear();
  }
}
