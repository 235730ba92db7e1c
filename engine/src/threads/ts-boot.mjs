// Boots a worker thread whose entry is TypeScript source, for runs from source (tsx, vitest):
// worker threads do not inherit the parent's module hooks, so this registers tsx first.
// Built bundles start their workers from plain .js and never load this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

for (const name of workerData.preload ?? []) await import(name);
register();
await import(workerData.entry);
