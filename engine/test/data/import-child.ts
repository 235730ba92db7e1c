// The child process of import-crash.test.ts: imports one file into a store and says each
// phase on stdout (synchronously, so the parent has read it before anything else happens).
// At the phase named by its third argument it blocks its thread, so the parent can SIGKILL
// it exactly there; 'imported' is after importBars returned, before the store is closed.
import { writeSync } from 'node:fs';
import { MarketStore } from '../../src/data/market-store';

const [db, file, pauseAt = 'none'] = process.argv.slice(2) as [string, string, string?];
const say = (s: string): void => void writeSync(1, `${s}\n`);
const at = (phase: string): void => {
  say(phase);
  if (phase === pauseAt) {
    say('paused');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
  }
};

const store = await MarketStore.open(db);
say('ready');
let reading = false;
await store.importBars(file, {
  symbol: 'CRASH',
  timeframe: '1m',
  // On this thread: a parse worker would be one more module graph to start per child.
  parseThread: 'inline',
  onProgress: (phase) => {
    if (phase === 'reading' && reading) return;
    reading = true;
    at(phase);
  },
});
at('imported');
store.close();
say('closed');
