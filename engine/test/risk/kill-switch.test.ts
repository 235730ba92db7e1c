import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command as kill } from '../../src/cli/commands/kill';
import { captureIO } from '../../src/cli/types';
import { SimulatedClock } from '../../src/core/clock';
import { RiskEngine, type RiskEvent } from '../../src/risk/engine';
import type { OrderControl } from '../../src/risk/kill-switch';
import { Watchdog } from '../../src/risk/watchdog';
import { SqliteRiskPersistence } from '../../src/state/risk-persistence';
import { StateStore } from '../../src/state/store';
import { tempDir } from '../state/helpers';
import { LOOSE, TestView } from './helpers';

class FakeOrderManager implements OrderControl {
  cancelAllCalls = 0;
  flattenCalls = 0;
  constructor(public working = 3) {}
  cancelAll(): number {
    this.cancelAllCalls += 1;
    const n = this.working;
    this.working = 0;
    return n;
  }
  flatten(): void {
    this.flattenCalls += 1;
  }
}

function open(home: string, clock = new SimulatedClock(Date.UTC(2026, 10, 22))) {
  const store = StateStore.open(join(home, 'state.sqlite'));
  const events: RiskEvent[] = [];
  const risk = new RiskEngine({ persistence: new SqliteRiskPersistence(store), clock, limits: LOOSE, onEvent: (e) => events.push(e) });
  const om = new FakeOrderManager();
  risk.killSwitch.attach(om);
  return { store, risk, om, events };
}

function viewWithPrice(): TestView {
  const v = new TestView();
  v.setPrice('BTC/USDT', 50_000);
  return v;
}
const order = { symbol: 'BTC/USDT', side: 'buy', type: 'market', qty: 0.01 } as const;

describe('kill switch', () => {
  it('engage cancels every working order, optionally flattens, blocks new orders, and is audited; reset releases it', () => {
    const home = tempDir();
    const { store, risk, om, events } = open(home);
    const view = viewWithPrice();
    expect(risk.killSwitch.engage({ reason: 'news', flatten: true, actor: 'ui' })).toEqual({ cancelled: 3 });
    expect(om).toMatchObject({ cancelAllCalls: 1, flattenCalls: 1 });
    expect(events[0]).toMatchObject({ kind: 'kill', engaged: true, reason: 'news', actor: 'ui', cancelled: 3, flattened: true });
    expect(risk.check(order, view)).toMatchObject({ ok: false, check: 'kill_switch' });
    expect(store.audit().map((a) => [a.actor, a.action])).toEqual([['ui', 'kill.engage'], ['ticket', 'risk.denied']]);
    expect(store.riskState()).toMatchObject({ killEngaged: true, killReason: 'news', killFlatten: true });
    expect(risk.killSwitch.reset('ui')).toBe(true);
    expect(risk.check(order, view).ok).toBe(true);
    expect(store.audit().at(-1)).toMatchObject({ action: 'kill.reset', before: { killEngaged: true }, after: { killEngaged: false } });
    store.close();
  });

  it('survives a restart: a new engine on the same file is still blocked until a manual reset', () => {
    const home = tempDir();
    const a = open(home);
    a.risk.killSwitch.engage({ reason: 'before restart', actor: 'test' });
    a.store.close();
    const b = open(home);
    expect(b.risk.check(order, viewWithPrice())).toEqual({ ok: false, check: 'kill_switch', reason: 'kill switch engaged (before restart): no new orders until it is reset' });
    expect(b.risk.snapshot(viewWithPrice().account).killSwitch).toMatchObject({ engaged: true, reason: 'before restart' });
    b.risk.killSwitch.reset('test');
    b.store.close();
    const c = open(home);
    expect(c.risk.check(order, viewWithPrice()).ok).toBe(true);
    c.store.close();
  });

  it('refreshLatch picks up `keel kill` from another process: cancels, flattens if asked, and sees the reset', async () => {
    const home = tempDir();
    const { store, risk, om, events } = open(home);
    const view = viewWithPrice();
    const io = captureIO(home, { KEEL_HOME: home, USER: 'ops' });
    expect(risk.check(order, view).ok).toBe(true);
    expect(await kill.run(['--reason', 'from the CLI', '--flatten'], io)).toBe(0);
    expect(io.stdout[0]).toBe('kill switch engaged');
    expect(io.stdout[1]).toMatch(/^kill switch: ENGAGED since \d{4}-.*Z \(reason: from the CLI\), flatten requested$/);
    expect(risk.check({ ...order, qty: 0.02 }, view).ok).toBe(true); // check() reads memory only: not seen until the poll
    risk.refreshLatch();
    expect(om).toMatchObject({ cancelAllCalls: 1, flattenCalls: 1 });
    expect(risk.check(order, view)).toMatchObject({ ok: false, check: 'kill_switch' });
    risk.refreshLatch(); // no change: no second sweep
    expect(om.cancelAllCalls).toBe(1);
    expect(await kill.run(['--reset'], io)).toBe(0);
    risk.refreshLatch();
    expect(risk.check(order, view).ok).toBe(true);
    expect(events.filter((e) => e.kind === 'kill').map((e) => (e.kind === 'kill' ? [e.engaged, e.actor] : []))).toEqual([
      [true, 'latch'],
      [false, 'latch'],
    ]);
    expect(store.audit().filter((a) => a.action.startsWith('kill')).map((a) => [a.actor, a.action])).toEqual([
      ['cli:ops', 'kill.engage'],
      ['cli:ops', 'kill.reset'],
    ]);
    store.close();
  });

  it('starting with the latch engaged sweeps at once, and carries out a flatten asked for while the engine was down', async () => {
    const home = tempDir();
    await kill.run(['--reason', 'while down', '--flatten'], captureIO(home, { KEEL_HOME: home }));
    const { store, om, events } = open(home);
    expect(om).toMatchObject({ cancelAllCalls: 1, flattenCalls: 1 });
    expect(events).toMatchObject([{ kind: 'kill', engaged: true, reason: 'while down', actor: 'latch', flattened: true }]);
    store.close();
  });

  it('an outside engage first seen by a write (a new equity peak) is acted on, never adopted silently', async () => {
    const home = tempDir();
    const { store, risk, om } = open(home);
    risk.onEquity(100_000, Date.UTC(2026, 10, 22, 1));
    await kill.run(['--reason', 'elsewhere'], captureIO(home, { KEEL_HOME: home }));
    risk.onEquity(101_000, Date.UTC(2026, 10, 22, 2));
    expect(om.cancelAllCalls).toBe(1);
    expect(om.flattenCalls).toBe(0);
    expect(risk.killSwitch.engaged).toBe(true);
    store.close();
  });
});

describe('keel kill', () => {
  it('--status prints the state and exits 1 when engaged; bad option combinations exit 2', async () => {
    const home = tempDir();
    const io = captureIO(home, { KEEL_HOME: home });
    expect(await kill.run(['--status'], io)).toBe(0);
    expect(io.stdout).toEqual(['kill switch: off', 'trading state: ACTIVE']);
    await kill.run([], io);
    expect(await kill.run(['--status'], io)).toBe(1);
    expect(io.stdout.at(-2)).toMatch(/ENGAGED .*\(reason: keel kill\)$/);
    expect(await kill.run(['--reset', '--flatten'], io)).toBe(2);
    expect(await kill.run(['--reason', ''], io)).toBe(2);
    expect(await kill.run(['--frobnicate'], io)).toBe(2);
    expect(io.stderr[0]).toBe('keel kill: --reset and --status take no other options');
  });

  it('works through the real bin/keel.js', () => {
    const home = tempDir();
    const bin = join(dirname(dirname(dirname(dirname(new URL(import.meta.url).pathname)))), 'bin', 'keel.js');
    const run = (args: string[]) => {
      try {
        return { code: 0, out: execFileSync(process.execPath, [bin, 'kill', ...args], { env: { ...process.env, KEEL_HOME: home }, encoding: 'utf8' }) };
      } catch (e) {
        const err = e as { status: number; stdout: string };
        return { code: err.status, out: err.stdout };
      }
    };
    expect(run(['--reason', 'bin test'])).toMatchObject({ code: 0, out: expect.stringContaining('reason: bin test') });
    expect(run(['--status'])).toMatchObject({ code: 1, out: expect.stringContaining('ENGAGED') });
    const store = StateStore.open(join(home, 'state.sqlite'));
    expect(store.riskState()).toMatchObject({ killEngaged: true, killReason: 'bin test' });
    store.close();
    expect(run(['--reset'])).toMatchObject({ code: 0, out: expect.stringContaining('kill switch: off') });
  });
});

describe('watchdog', () => {
  it('engages the kill switch when the UI heartbeat or a data stream is silent longer than watchdogSilenceMs', () => {
    const home = tempDir();
    const clock = new SimulatedClock(Date.UTC(2026, 10, 22));
    const { store, risk, om } = open(home, clock);
    risk.setLimits({ watchdogSilenceMs: 15_000 }, 'test');
    const dog = risk.watchdog();
    dog.watch('ui');
    dog.watch('data:BTC/USDT');
    for (let i = 0; i < 10; i++) {
      clock.set(clock.now() + 10_000);
      dog.beat('ui');
      dog.beat('data:BTC/USDT');
      expect(dog.tick()).toEqual([]);
    }
    expect(risk.killSwitch.engaged).toBe(false);
    clock.set(clock.now() + 15_000);
    dog.beat('ui');
    expect(dog.tick()).toEqual([]); // exactly at the limit is not silent yet
    clock.set(clock.now() + 1);
    expect(dog.tick()).toEqual(['data:BTC/USDT']);
    expect(risk.killSwitch.engaged).toBe(true);
    expect(store.riskState().killReason).toBe('watchdog: data:BTC/USDT silent for 15001 ms');
    expect(om.cancelAllCalls).toBe(1);
    clock.set(clock.now() + 60_000);
    expect(dog.tick()).toEqual(['ui']); // the data stream tripped once; ui trips now
    expect(store.audit().filter((a) => a.action === 'kill.engage').map((a) => a.actor)).toEqual(['watchdog', 'watchdog']);
    store.close();
  });

  it('a stream that never starts trips too', () => {
    const clock = new SimulatedClock(0);
    const silent: string[] = [];
    const dog = new Watchdog(clock, () => 1_000, (s) => silent.push(s));
    dog.watch('ui');
    clock.set(1_001);
    dog.tick();
    expect(silent).toEqual(['ui']);
  });
});

describe('risk snapshot', () => {
  it('says HALTED while the kill switch is engaged, whatever the breakers say, and carries raw gauge figures', () => {
    const home = tempDir();
    const { store, risk } = open(home);
    const view = viewWithPrice();
    view.fill('BTC/USDT', 'buy', 0.5, 50_000);
    const before = risk.snapshot(view.account);
    expect(before.tradingState).toBe('ACTIVE');
    expect(before.gauges.exposure).toBe(25_000);
    expect(before.gauges.equity).toBe(view.account.equity());
    expect(before.gauges.exposureLimit).toBeCloseTo((LOOSE.maxExposurePct / 100) * view.account.equity(), 6);
    expect(before.gauges.exposureUsedPct).toBeCloseTo((100 * 25_000) / before.gauges.exposureLimit, 6);
    risk.killSwitch.engage({ reason: 'test', actor: 'ui' });
    expect(risk.snapshot(view.account)).toMatchObject({ tradingState: 'HALTED', killSwitch: { engaged: true } });
    risk.killSwitch.reset('ui');
    expect(risk.snapshot(view.account).tradingState).toBe('ACTIVE');
    store.close();
  });
});
