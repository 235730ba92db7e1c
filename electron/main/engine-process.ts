import { MessageChannelMain, utilityProcess, type MessagePortMain, type UtilityProcess, type WebContents } from 'electron';
import type { EngineToMain, Exposure, MainToEngine } from '../../engine/protocol/control';
import type { Topics } from '../../engine/protocol/index';
import { Keychain, keychainServiceOf } from '../../engine/src/secrets/keychain';
import { IPC } from './ipc-channels';
import { answerKeychain } from './keychain-for-engine';
import { PendingReplies } from '../../engine/protocol/pending-replies';
import { RestartPolicy } from './restart-policy';
import { standInReply } from './stand-in';

export type EngineLog = (level: 'info' | 'warn' | 'error', message: string) => void;

/**
 * The engine utility process: starts it, hands each window a MessagePort to it (one
 * MessageChannelMain per window: one end to the engine, the other to the page), and
 * restarts it with backoff when it crashes. While it is down, windows get a stand-in
 * port whose 'engine' topic carries the banner state. The engine's exchange keys come from
 * here: main alone opens the OS keychain under Electron (keychain-for-engine.ts).
 */
export class EngineProcess {
  private child: UtilityProcess | undefined;
  private startedAt = 0;
  private stopping = false;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly policy = new RestartPolicy();
  private readonly windows = new Set<WebContents>();
  private readonly standIns = new Map<WebContents, MessagePortMain>();
  private state: Topics['engine'] = { state: 'restarting', message: 'starting' };
  private pendingKill: string | undefined;
  private readonly exposures = new PendingReplies<Exposure>('exposure', 5_000);

  constructor(
    private readonly entry: string,
    private readonly log: EngineLog,
    private readonly samplesDir: string,
    private readonly env: Record<string, string | undefined> = process.env,
    /** Shows an alert the engine raised as a desktop notification. */
    private readonly notify: (n: Extract<EngineToMain, { type: 'notify' }>) => void = () => {},
    /** The OS keychain, which main alone opens under Electron: the engine asks it for exchange keys. */
    private readonly keychain: Keychain = new Keychain(keychainServiceOf(env)),
  ) {}

  start(): void {
    this.stopping = false;
    const child = utilityProcess.fork(this.entry, [], {
      serviceName: 'Keel engine',
      stdio: 'inherit',
      env: { ...this.env, KEEL_ENGINE: 'electron', KEEL_SAMPLES_DIR: this.samplesDir } as Record<string, string>,
    });
    this.child = child;
    this.startedAt = Date.now();
    child.on('message', (m: EngineToMain) => this.onEngineMessage(m));
    child.on('exit', (code) => this.onExit(child, code));
    child.on('spawn', () => {
      for (const wc of this.windows) this.connect(wc);
    });
  }

  /** Gives `wc` a port to the engine now and after every restart, until it is destroyed. */
  attach(wc: WebContents): void {
    if (!this.windows.has(wc)) {
      this.windows.add(wc);
      wc.once('destroyed', () => {
        this.windows.delete(wc);
        this.standIns.get(wc)?.close();
        this.standIns.delete(wc);
      });
    }
    this.connect(wc);
  }

  private connect(wc: WebContents): void {
    if (wc.isDestroyed()) return;
    const child = this.child;
    if (!child || child.pid === undefined) {
      this.giveStandIn(wc);
      return;
    }
    this.standIns.get(wc)?.close();
    this.standIns.delete(wc);
    const { port1, port2 } = new MessageChannelMain();
    child.postMessage({ type: 'connect', windowId: wc.id } satisfies MainToEngine, [port1]);
    wc.postMessage(IPC.enginePort, null, [port2]);
  }

  private giveStandIn(wc: WebContents): void {
    this.standIns.get(wc)?.close();
    const { port1, port2 } = new MessageChannelMain();
    port1.on('message', (e) => {
      const reply = standInReply(e.data, this.state);
      if (reply) port1.postMessage(reply);
    });
    port1.start();
    this.standIns.set(wc, port1);
    wc.postMessage(IPC.enginePort, null, [port2]);
    port1.postMessage({ t: 'push', topic: 'engine', items: [this.state] });
  }

  private setState(state: Topics['engine']): void {
    this.state = state;
    for (const p of this.standIns.values()) p.postMessage({ t: 'push', topic: 'engine', items: [state] });
  }

  killSwitch(reason: string): void {
    // While the engine is down or starting, keep the request: it is engaged as soon as the engine is ready.
    this.pendingKill = reason;
    if (this.child && this.state.state === 'ready') this.sendKill();
  }

  private sendKill(): void {
    if (!this.child || this.pendingKill === undefined) return;
    this.child.postMessage({ type: 'killSwitch', reason: this.pendingKill } satisfies MainToEngine);
    this.pendingKill = undefined;
  }

  /** A path the trader chose in a save dialog: the engine lets one export write there. */
  grantExport(path: string): void {
    this.child?.postMessage({ type: 'grantExport', path } satisfies MainToEngine);
  }

  /**
   * What is open on the desk (the updater asks before it installs). Rejects when the engine
   * is not running or ready, or does not answer: the caller must treat that as "not clear".
   */
  exposure(): Promise<Exposure> {
    const child = this.child;
    if (!child || this.state.state !== 'ready') return Promise.reject(new Error(`the engine is ${this.state.state === 'ready' ? 'not running' : this.state.state}`));
    return this.exposures.ask((id) => child.postMessage({ type: 'exposure', id } satisfies MainToEngine));
  }

  /** Manual restart (menu): also clears a give-up. */
  restart(): void {
    this.policy.reset();
    clearTimeout(this.restartTimer);
    if (this.child) {
      // onExit treats it like a crash; with the policy reset that is its shortest delay.
      this.child.kill();
    } else {
      this.start();
    }
  }

  /** Asks the engine to close its databases cleanly; kills it after `graceMs`. */
  stop(graceMs = 3000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.log('warn', 'engine did not stop in time; killing it');
        child.kill();
      }, graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.postMessage({ type: 'shutdown' } satisfies MainToEngine);
    });
  }

  private onEngineMessage(m: EngineToMain): void {
    if (m?.type === 'ready') {
      this.log('info', `engine ready in ${Math.round(m.startMs)} ms (v${m.info.version})`);
      this.state = { state: 'ready' };
      this.sendKill();
    } else if (m?.type === 'exposure') {
      this.exposures.settle(m.id, { value: m.exposure, error: m.error });
    } else if (m?.type === 'fatal') {
      this.log('error', `engine reported a fatal error: ${m.message}`);
    } else if (m?.type === 'notify') {
      this.notify(m);
    } else if (m?.type === 'keychain') {
      this.answerKeychain(m);
    }
  }

  /** Answers the engine that asked; an engine restarted meanwhile asks again if it still needs it. */
  private answerKeychain(m: Extract<EngineToMain, { type: 'keychain' }>): void {
    const asker = this.child;
    void answerKeychain(this.keychain, m.request).then((answer) => {
      if (asker && this.child === asker) asker.postMessage({ type: 'keychain', id: m.id, answer } satisfies MainToEngine);
    });
  }

  private onExit(child: UtilityProcess, code: number): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.exposures.failAll('the engine exited before it answered');
    if (this.stopping) return;
    this.state = { state: 'restarting' };
    const uptime = Date.now() - this.startedAt;
    this.log('error', `engine exited with code ${code} after ${Math.round(uptime / 1000)} s`);
    for (const wc of this.windows) if (!wc.isDestroyed()) wc.send(IPC.engineLost);
    const decision = this.policy.onCrash(Date.now(), uptime);
    if (decision.action === 'give-up') {
      const message = `the engine crashed ${decision.crashes} times in ${Math.round(decision.windowMs / 60_000)} minutes; not restarting. Use Trading > Restart engine after checking the log.`;
      this.log('error', message);
      this.setState({ state: 'stopped', message });
    } else {
      const message = `the engine stopped unexpectedly; restarting in ${(decision.delayMs / 1000).toFixed(1)} s (attempt ${decision.attempt})`;
      this.setState({ state: 'restarting', message });
      this.restartTimer = setTimeout(() => this.start(), decision.delayMs);
    }
    for (const wc of this.windows) this.giveStandIn(wc);
  }
}
