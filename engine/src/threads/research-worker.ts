/**
 * Worker thread entry of the research pool (research/pool.ts): runs sweep trials, each a
 * plain runBacktest, and computes its share of a sweep's shared indicators. The series and
 * the shared outputs arrive in SharedArrayBuffers once; each trial message then carries only
 * its parameters.
 */
import { parentPort } from 'node:worker_threads';
import type { BarSeries } from '../model/bar';
import { toWire } from '../data/bar-csv-messages';
import { loadStrategy } from '../strategy/loader';
import type { FromResearchWorker, ToResearchWorker } from '../research/pool-messages';
import { SharedIndicators, computeIndicators } from '../research/shared-indicators';
import { runTrial } from '../research/trial';
import type { StrategyModule } from '../../sdk';

const port = parentPort;
if (!port) throw new Error('research-worker must run in a worker thread');

const series = new Map<string, BarSeries>();
const shared = new Map<string, SharedIndicators>();
const strategies = new Map<string, Promise<StrategyModule>>();

const strategyOf = (ref: string): Promise<StrategyModule> => {
  let s = strategies.get(ref);
  if (!s) strategies.set(ref, (s = loadStrategy(ref, process.cwd())));
  return s;
};

function seriesOf(id: string): BarSeries {
  const s = series.get(id);
  if (!s) throw new Error(`research worker: no series ${id}`);
  return s;
}

function sharedOf(seriesId: string, ref: string): SharedIndicators {
  const key = `${seriesId}\n${ref}`;
  let s = shared.get(key);
  if (!s) shared.set(key, (s = new SharedIndicators(seriesOf(seriesId))));
  return s;
}

const send = (m: FromResearchWorker) => port.postMessage(m);

// One message at a time, in order: a 'share' always lands before the trials that use it.
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ToResearchWorker) => {
  queue = queue.then(() => handle(msg));
});

async function handle(msg: ToResearchWorker): Promise<void> {
  switch (msg.type) {
    case 'ping':
      send({ type: 'pong', req: msg.req });
      return;
    case 'series':
      series.set(msg.id, msg.series);
      return;
    case 'drop':
      series.delete(msg.id);
      for (const k of [...shared.keys()]) if (k.startsWith(`${msg.id}\n`)) shared.delete(k);
      return;
    case 'share':
      sharedOf(msg.seriesId, msg.strategy).add(msg.outputs);
      return;
    case 'compute':
      try {
        const out = computeIndicators(seriesOf(msg.seriesId), await strategyOf(msg.strategy), msg.trials, new Set(msg.keys));
        send({ type: 'computed', req: msg.req, outputs: [...out.entries()] });
      } catch (e) {
        send({ type: 'failed', req: msg.req, error: toWire(e) });
      }
      return;
    case 'trial':
      try {
        const strategy = await strategyOf(msg.strategy);
        const s = sharedOf(msg.seriesId, msg.strategy);
        send({ type: 'trial', req: msg.req, outcome: await runTrial(seriesOf(msg.seriesId), strategy, msg.params, msg.settings, s.size > 0 ? s : undefined) });
      } catch (e) {
        send({ type: 'failed', req: msg.req, error: toWire(e) });
      }
      return;
  }
}
