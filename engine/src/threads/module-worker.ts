import { Worker } from 'node:worker_threads';

/**
 * The URL of a worker entry module that sits beside `base` (pass import.meta.url). From source
 * it is the .ts file; in a built bundle (electron-vite builds each worker entry as its own
 * .js file next to the engine's) it is the .js file.
 */
export function workerEntry(base: string, name: string): URL {
  return new URL(`./${name}.${base.endsWith('.ts') ? 'ts' : 'js'}`, base);
}

/**
 * Starts a worker thread on an ES module entry, through the tsx boot when the entry is source.
 * `preload` names plain-JS packages the entry imports, loaded before tsx's module hooks: each
 * module through the hooks costs a round trip to their thread, and a package of hundreds of
 * modules (ccxt) then loads in 2-3x the time.
 */
export function startModuleWorker(entry: URL, opts: { preload?: string[] } = {}): Worker {
  if (entry.pathname.endsWith('.ts')) {
    return new Worker(new URL('./ts-boot.mjs', import.meta.url), { workerData: { entry: entry.href, preload: opts.preload ?? [] } });
  }
  return new Worker(entry);
}

/** A worker entry in this folder (engine/src/threads), from source or beside the built engine. */
export function threadEntry(name: string): URL {
  return workerEntry(import.meta.url, name);
}
