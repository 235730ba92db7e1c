import { parseArgs } from 'node:util';
import { WallClock } from '../../core/clock';
import { KillSwitch } from '../../risk/kill-switch';
import { RiskLatch } from '../../risk/latch';
import type { LatchedRiskState } from '../../risk/persistence';
import { stateDbPath } from '../../state/db';
import { SqliteRiskPersistence } from '../../state/risk-persistence';
import { StateStore } from '../../state/store';
import type { CliCommand, CliIO } from '../types';

const USAGE = `keel kill [--reason R] [--flatten]   engage the kill switch (latched until reset)
keel kill --reset                      release the kill switch
keel kill --status                     print the kill switch and trading state (exit 1 when engaged)

Works on the state database in $KEEL_HOME. A running engine picks the latch up within
~250 ms: it cancels every working order and, with --flatten, closes every position.`;

function describe(s: Readonly<LatchedRiskState>, io: CliIO): void {
  if (s.killEngaged) {
    const since = s.killSince !== undefined ? new Date(s.killSince).toISOString() : 'unknown';
    io.out(`kill switch: ENGAGED since ${since}${s.killReason ? ` (reason: ${s.killReason})` : ''}${s.killFlatten ? ', flatten requested' : ''}`);
  } else {
    io.out('kill switch: off');
  }
  io.out(`trading state: ${s.tradingState}${s.tradingReason ? ` (${s.tradingReason})` : ''}`);
}

export const command: CliCommand = {
  name: 'kill',
  summary: 'Engage, reset or show the kill switch',
  usage: USAGE,
  async run(args, io) {
    let values: { reason?: string; flatten?: boolean; reset?: boolean; status?: boolean };
    try {
      ({ values } = parseArgs({
        args,
        options: { reason: { type: 'string' }, flatten: { type: 'boolean' }, reset: { type: 'boolean' }, status: { type: 'boolean' } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (e) {
      io.err(`keel kill: ${(e as Error).message}`);
      io.err(USAGE);
      return 2;
    }
    const modes = [values.reset, values.status].filter(Boolean).length;
    if (modes > 1 || (modes === 1 && (values.reason !== undefined || values.flatten))) {
      io.err('keel kill: --reset and --status take no other options');
      return 2;
    }
    if (values.reason !== undefined && values.reason.trim() === '') {
      io.err('keel kill: --reason must not be empty');
      return 2;
    }
    const store = StateStore.open(stateDbPath(io.env));
    try {
      const latch = new RiskLatch(new SqliteRiskPersistence(store));
      const actor = `cli${io.env.USER ? `:${io.env.USER}` : ''}`;
      const kill = new KillSwitch(latch, new WallClock(), () => {});
      if (values.status) {
        describe(latch.current, io);
        return latch.current.killEngaged ? 1 : 0;
      }
      if (values.reset) {
        io.out(kill.reset(actor) ? 'kill switch reset' : 'kill switch was not engaged');
      } else {
        kill.engage({ reason: values.reason ?? 'keel kill', flatten: values.flatten === true, actor });
        io.out('kill switch engaged');
      }
      describe(latch.current, io);
      return 0;
    } finally {
      store.close();
    }
  },
};
