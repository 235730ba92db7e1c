import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeelError } from '../core/errors';
import type { ImportReport } from './import-report';
import type { MarketStore } from './market-store';

/** The shipped sample folder (repo data/samples); a packaged app passes its resources path instead. */
export const SAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'samples');

interface SampleEntry {
  file: string;
  symbol: string;
  timeframe: string;
}

/**
 * Imports every sample listed in samples.json into the store. Safe to call on every start:
 * the import log recognises a file already imported (by SHA-256, symbol and timeframe), so a
 * second call re-reads the small files and changes nothing.
 */
export async function ensureSampleData(store: MarketStore, dir = SAMPLES_DIR): Promise<ImportReport[]> {
  const manifest = join(dir, 'samples.json');
  let entries: SampleEntry[];
  try {
    entries = JSON.parse(readFileSync(manifest, 'utf8')) as SampleEntry[];
  } catch (e) {
    throw new KeelError('BAD_FILE', `cannot read the sample list: ${(e as Error).message}`, { where: manifest, cause: e });
  }
  const reports: ImportReport[] = [];
  for (const s of entries) {
    reports.push(await store.importBars(join(dir, s.file), { symbol: s.symbol, timeframe: s.timeframe, strict: true }));
  }
  return reports;
}
