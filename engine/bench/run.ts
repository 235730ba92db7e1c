// `npm run bench`: runs every engine/bench/*.bench.ts in turn, one core, and prints its figures.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
console.log(`keel bench: node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${files.length} suites`);
for (const f of files) {
  console.log(`\n== ${f.replace('.bench.ts', '')}`);
  const mod = (await import(join(dir, f))) as { run(): Promise<void> };
  await mod.run();
  (globalThis as { gc?: () => void }).gc?.();
}
