import { writeFileSync } from 'node:fs';
import { expect, test, waitConnected } from '../support/fixtures';

/** A 1-minute random walk in the ms layout, as a trader's exported history would be. */
function walk(rows: number): string {
  let seed = 11;
  const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32);
  const lines = ['timestamp,open,high,low,close,volume'];
  let p = 30_000;
  for (let i = 0; i < rows; i++) {
    const o = p;
    const c = Math.round((o + (rnd() - 0.5) * 40) * 10) / 10;
    lines.push(`${Date.UTC(2024, 0, 1) + i * 60_000},${o.toFixed(1)},${(Math.max(o, c) + 5).toFixed(1)},${(Math.min(o, c) - 5).toFixed(1)},${c.toFixed(1)},${(rnd() * 10).toFixed(3)}`);
    p = c;
  }
  return lines.join('\n') + '\n';
}

test('a long history loads its newest page, and older pages as the chart scrolls back', async ({ app }, testInfo) => {
  const { page } = app;
  const file = testInfo.outputPath('long-1m.csv');
  writeFileSync(file, walk(45_000));
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Data' }).click();
  await page.getByLabel('Symbol (optional)').fill('LONG/USDT');
  await page.getByLabel('Data file').setInputFiles(file);
  await expect(page.getByRole('region', { name: 'Import report long-1m.csv' })).toContainText(/Rows stored\s*45,000(?!\d)/, { timeout: 30_000 });

  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Markets' }).click();
  await page.getByRole('toolbar', { name: 'Chart' }).getByLabel('Symbol').selectOption('LONG/USDT');
  await page.getByRole('radiogroup', { name: 'Timeframe' }).getByRole('radio', { name: '1m' }).click();
  const chart = page.getByRole('img', { name: 'Price chart LONG/USDT 1m' });
  await expect(chart).toHaveAttribute('data-bars', '20000');
  // The legend shows the newest bar: the last page came first.
  await expect(page.getByLabel('Bar time')).toContainText('2024-02-01 05:59');

  // An indicator is recomputed for each page, from the first loaded bar (the engine warms up on the bars before it).
  await page.getByRole('button', { name: 'Indicators' }).click();
  await page.getByRole('menuitem', { name: /^Simple moving average/ }).click();
  await expect(page.getByRole('list', { name: 'Indicators on chart' }).getByRole('listitem')).toHaveCount(1);

  // Scroll back (horizontal wheel, as a trackpad does) until the first loaded bar comes near: the next page arrives.
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 60 && (await chart.getAttribute('data-bars')) === '20000'; i++) await page.mouse.wheel(-4000, 0);
  await expect(chart).toHaveAttribute('data-bars', '40000');
  // 5,000 left: a short page, and nothing more is asked for. The chart library holds two
  // pages at most, so the newest bars give way to the first ones.
  const firstBar = new Date(Date.UTC(2024, 0, 1)).toISOString();
  for (let i = 0; i < 80 && (await chart.getAttribute('data-first-bar')) !== firstBar; i++) await page.mouse.wheel(-4000, 0);
  await expect(chart).toHaveAttribute('data-first-bar', firstBar);
  await expect(chart).toHaveAttribute('data-bars', '40000');
  await expect(page.getByRole('group', { name: 'Price legend' }).getByRole('alert')).toHaveCount(0);
  await app.shot('markets-history-paged');

  // Back to the latest bars in one step: the newest page is shown again.
  await page.getByRole('button', { name: 'Go to the latest bar' }).click();
  await expect(chart).toHaveAttribute('data-bars', '20000');
  await expect(chart).toHaveAttribute('data-first-bar', new Date(Date.UTC(2024, 0, 1) + 25_000 * 60_000).toISOString());
  await expect(page.getByRole('button', { name: 'Go to the latest bar' })).toHaveCount(0);
  await page.mouse.move(0, 0);
  await expect(page.getByLabel('Bar time')).toContainText('2024-02-01 05:59');
  await expect(page.getByRole('list', { name: 'Indicators on chart' }).getByRole('listitem')).toHaveCount(1);
});

type DebugChart = {
  setBars(p: unknown): void;
  shownBars(): number;
  shownSpan(): { first: number; last: number } | undefined;
  volumeBars(): number;
  chart: { timeScale(): { getVisibleRange(): { from: number; to: number } | null; setVisibleLogicalRange(r: { from: number; to: number }): void } };
};
type DebugWindow = Window & { keelDebug: { chart(): DebugChart; client: { inject(msg: unknown): void } } };

test('a history handed to the chart whole is drawn from its newest page, the rest as the view scrolls back', async ({ app }) => {
  const { page } = app;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The debug hooks (the chart's own API) come with #debug=1; a hash change and a reload is not a navigation.
  await page.evaluate(() => {
    location.hash = `${location.hash ? location.hash + '&' : '#'}debug=1`;
  });
  await page.reload();
  await waitConnected(page);
  const chart = page.getByRole('img', { name: /^Price chart/ });
  await expect(chart).not.toHaveAttribute('data-bars', '0');

  const first = Date.UTC(2024, 0, 1) / 1000;
  const handed = await page.evaluate(
    ({ n, first }) => {
      const p = { symbol: 'BENCH', timeframe: '1m', ts: [] as number[], open: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[], volume: [] as number[] };
      let price = 100;
      for (let i = 0; i < n; i++) {
        const o = price;
        price = Math.max(1, price + Math.sin(i * 0.37));
        p.ts.push((first + i * 60) * 1000);
        p.open.push(o);
        p.close.push(price);
        p.high.push(Math.max(o, price) + 0.3);
        p.low.push(Math.min(o, price) - 0.3);
        p.volume.push(100 + (i % 50));
      }
      const c = (window as unknown as DebugWindow).keelDebug.chart();
      c.setBars(p);
      return { shown: c.shownBars(), volume: c.volumeBars() };
    },
    { n: 45_000, first },
  );
  // The library holds the newest page; the volume columns hold every bar (they draw what is in view).
  expect(handed).toEqual({ shown: 20_000, volume: 45_000 });
  await expect(page.getByLabel('Bar time')).toContainText('2024-02-01 05:59');

  const shown = () =>
    page.evaluate(() => {
      const c = (window as unknown as DebugWindow).keelDebug.chart();
      const span = c.shownSpan()!;
      return { bars: c.shownBars(), first: span.first / 1000, last: span.last / 1000 };
    });
  const newest = first + (45_000 - 1) * 60;
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 80 && (await shown()).bars < 40_000; i++) await page.mouse.wheel(-4000, 0);
  await expect.poll(shown).toEqual({ bars: 40_000, first: first + 5_000 * 60, last: newest });
  // Further back, the newest bars give way: the library never holds more than two pages.
  for (let i = 0; i < 80 && (await shown()).first > first; i++) await page.mouse.wheel(-4000, 0);
  await expect.poll(shown).toEqual({ bars: 40_000, first, last: first + 39_999 * 60 });
  // Scrolled to the very first bar: it is on screen, drawn from the bars held back until now.
  for (let i = 0; i < 20; i++) await page.mouse.wheel(-4000, 0);
  const range = await page.evaluate(() => (window as unknown as DebugWindow).keelDebug.chart().chart.timeScale().getVisibleRange());
  expect(range?.from).toBe(first);
  // The first day's bars in view: under the crosshair, the legend reads them.
  await page.evaluate(() => (window as unknown as DebugWindow).keelDebug.chart().chart.timeScale().setVisibleLogicalRange({ from: -5, to: 295 }));
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.getByLabel('Bar time')).toContainText('2024-01-01 02:');
  await expect(page.getByRole('group', { name: 'Price legend' }).getByRole('alert')).toHaveCount(0);
  await app.shot('markets-history-first-bar');

  // Forward again with the wheel: the newest bars come back a page at a time.
  for (let i = 0; i < 200 && (await shown()).last < newest; i++) await page.mouse.wheel(4000, 0);
  await expect.poll(shown).toEqual({ bars: 40_000, first: first + 5_000 * 60, last: newest });
  for (let i = 0; i < 200 && (await shown()).first > first; i++) await page.mouse.wheel(-4000, 0);
  await expect.poll(shown).toEqual({ bars: 40_000, first, last: first + 39_999 * 60 });

  // A live bar arrives while the view is far back (the newest bars are not in the library): it waits in the tail.
  const legend = (await page.getByRole('group', { name: 'Price legend' }).locator('strong').textContent())!;
  const tf = (await page.getByRole('radiogroup', { name: 'Timeframe' }).getByRole('radio', { checked: true }).textContent())!;
  await page.evaluate(
    ({ ts, symbol, timeframe }) =>
      (window as unknown as DebugWindow).keelDebug.client.inject({ t: 'push', topic: 'bar', items: [{ symbol, timeframe, ts, open: 250, high: 252, low: 249, close: 251.5, volume: 7, closed: false }] }),
    { ts: (newest + 60) * 1000, symbol: legend, timeframe: tf },
  );
  await expect(page.getByRole('button', { name: 'Go to the latest bar' })).toBeVisible();

  // A double click on the time axis resets the view to the live end: the newest page comes back at once.
  await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height - 10);
  await expect.poll(shown).toEqual({ bars: 20_000, first: first + 25_000 * 60, last: newest });
  await page.mouse.move(0, 0);
  await expect(page.getByLabel('Bar time')).toContainText('2024-02-01 06:00');
  await expect(page.getByRole('group', { name: 'Price legend' })).toContainText('251.5');
  await expect(page.getByRole('button', { name: 'Go to the latest bar' })).toHaveCount(0);
  // End on the latest bar keeps it there.
  await page.keyboard.press('End');
  await expect(page.getByRole('button', { name: 'Go to the latest bar' })).toHaveCount(0);
  expect(errors).toEqual([]);
});
