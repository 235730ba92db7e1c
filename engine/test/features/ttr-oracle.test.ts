import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barFiles, diffColumn, FIXTURES, hasR, keelTable, readBars, readTable, runLiveOracle, type ColumnDiff, type Table } from './oracle';

const TOLERANCE = 1e-9;
const files = barFiles();
const committed = (f: string): Table => readTable(join(FIXTURES, 'ttr', `${f}.gz`));

function expectMatches(file: string, reference: Table): ColumnDiff[] {
  const bars = readBars(file);
  const ours = keelTable(bars);
  expect([...reference.keys()]).toEqual([...ours.keys()]);
  const diffs = [...reference.keys()].map((col) => diffColumn(col, ours.get(col)!, reference.get(col)!, bars.close));
  for (const d of diffs) {
    expect(d.nanMismatches, `${file} ${d.column}: NaN positions differ first at row ${d.firstNanMismatch}`).toBe(0);
    expect(d.maxRelError, `${file} ${d.column}: worst at row ${d.worstRow}`).toBeLessThanOrEqual(TOLERANCE);
  }
  return diffs;
}

const summary: string[] = [];
afterAll(() => {
  if (summary.length > 0) console.log(summary.join('\n'));
});

describe('indicators against the committed TTR oracle tables', () => {
  it.each(files)('%s', (file) => {
    const diffs = expectMatches(file, committed(file));
    summary.push(
      `${file}: ` +
        diffs
          .filter((d) => d.column !== 'timestamp')
          .map((d) => `${d.column} ${d.bitwiseEqual}/${d.finite} bitwise, max rel ${d.maxRelError.toExponential(1)}`)
          .join('; '),
    );
  });

  it('covers every bar file of the reference data, and the edge series', () => {
    const reference = [
      'btc-usdt-5m-2023-01.csv', 'alt-btc-1m-2017-11.csv', 'xrp-usdt-perp-1h-2021-11.csv', 'nvda-1d-1999-2014.csv',
      'orcl-1d-1995-2014.csv', 'yhoo-1d-1996-2015.csv', 'index-5m-2006.csv', 'index-future-1m-2006-01-02.csv',
    ];
    expect(readBars('alt-btc-1m-2017-11.csv').close.length).toBe(13_681);
    expect(readBars('index-future-1m-2006-01-02.csv').close.length).toBe(30_889);
    for (const f of [...reference, 'edge-flat-100.csv', 'edge-rising.csv', 'edge-falling.csv']) {
      expect(files).toContain(f);
    }
  });
});

describe.runIf(hasR())('indicators against live R (Rscript + TTR)', () => {
  let live: Map<string, string>;
  beforeAll(() => {
    live = runLiveOracle(files);
  }, 60_000);

  it.each(files)('%s: Keel equals what R computes now', (file) => {
    expectMatches(file, readTable(live.get(file)!));
  });

  it.each(files)('%s: the committed table is what R produces now', (file) => {
    const fresh = readTable(live.get(file)!);
    const old = committed(file);
    expect([...old.keys()]).toEqual([...fresh.keys()]);
    for (const [col, values] of fresh) expect(old.get(col), col).toEqual(values);
  });
});

if (!hasR()) {
  console.warn('ttr-oracle: Rscript with TTR is not installed here; compared against the committed oracle tables only (engine/test/fixtures/indicators/ttr).');
}
