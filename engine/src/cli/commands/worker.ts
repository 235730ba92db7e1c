import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { badInput } from '../../core/errors';
import { defaultThreads } from '../../research/pool';
import { startQueueWorker } from '../../research/queue';
import { redactUrl } from '../../research/redact';
import { intFlag } from '../args';
import type { CliCommand } from '../types';

const USAGE = `keel worker --queue redis://HOST:PORT [--data FILE]... [--threads N] [--stalled-ms MS]

Runs sweep and walk-forward trials that \`keel optimize --queue\` and \`keel walkforward --queue\`
put on the queue, on this machine's threads, until stopped (Ctrl-C finishes the jobs in hand).
Start one on every machine that should help; each needs the data and the strategy.

  --queue URL        the Redis the submitter uses
  --data FILE        a bar file this machine holds (repeat). Jobs name their data by content
                     hash; a job whose data is not here is also tried at the submitter's path,
                     and refused if that file's content differs.
  --threads N        threads for trials (default: every core)
  --stalled-ms MS    how long a job may go without a sign of life before another worker takes
                     it over (BullMQ's lock duration and stalled check; default 30000)

Strategy files (--strategy path.ts) must be at the same path here as on the submitter, with the
same content (checked by hash). Shipped strategies need the same Keel.`;

export const command: CliCommand = {
  name: 'worker',
  summary: 'Run sweep trials from a Redis queue (BullMQ) on this machine',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { queue: { type: 'string' }, data: { type: 'string', multiple: true }, threads: { type: 'string' }, 'stalled-ms': { type: 'string' } },
      strict: true,
    });
    if (!values.queue) throw badInput('is required (redis://HOST:PORT)', '--queue');
    if (!/^rediss?:\/\//.test(values.queue)) throw badInput(`must be a redis:// URL, got "${values.queue}"`, '--queue');
    const threads = intFlag('threads', values.threads, defaultThreads(), 1);
    const stalledMs = intFlag('stalled-ms', values['stalled-ms'], 30_000, 500);
    const w = await startQueueWorker(values.queue, {
      threads,
      dataFiles: (values.data ?? []).map((f) => resolve(io.cwd, f)),
      stalledMs,
      cwd: io.cwd,
      log: (l) => io.err(l),
    });
    io.out(`keel worker: ${threads} threads, taking trials from ${redactUrl(values.queue)} (Ctrl-C stops)`);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    io.err('stopping: finishing the jobs in hand');
    await w.close();
    io.out(`keel worker: ran ${w.done} trials`);
    return 0;
  },
};
