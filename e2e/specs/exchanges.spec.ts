import { expect, test } from '../support/fixtures';
import { startSimulator, type RunningSimulator } from '../support/simulator';

/**
 * The exchanges issue end to end, against `keel simulate-exchange` on 127.0.0.1:
 * 1. a download from the simulator with a visible progress bar (and its quality report);
 * 2. the new dataset opened on the chart;
 * 3. a live stream ticking the chart, the depth ladder, the stale badge when data stops;
 * 4. the cross-exchange view of two venues (a second simulator with a basis, as Binance.US).
 */
let venueA: RunningSimulator;
/** `--hole` of the hours between `fromDays` and `toDays` days ago. */
const hole = (fromDays: number, toDays: number) => `${Date.now() - fromDays * 86_400_000}..${Date.now() - toDays * 86_400_000}`;
let venueB: RunningSimulator;

test.beforeAll(async () => {
  // Slow answers (700 ms a page) so the progress bar is there to be seen; the same walk on both venues, B with a basis.
  [venueA, venueB] = await Promise.all([
    // Two holes in the exchange's history, for the quality report to find.
    startSimulator(['--history', '30000', '--seed', '3', '--trades-per-second', '20', '--faults', 'latency=700', '--hole', hole(9, 8.8), '--hole', hole(3, 2.9)]),
    startSimulator(['--history', '30000', '--seed', '3', '--basis-bps', '15', '--trades-per-second', '5']),
  ]);
});

test.afterAll(async () => {
  await Promise.all([venueA?.stop(), venueB?.stop()]);
});

test('download with progress, open on the chart, stream live, compare two venues', async ({ app }) => {
  test.setTimeout(180_000);
  const { page } = app;
  const nav = page.getByRole('navigation', { name: 'Screens' });
  await nav.getByRole('button', { name: 'Data' }).click();

  // 1. Download twenty days of 1m bars from the simulator, through the saved API URL.
  const panel = page.getByRole('region', { name: 'Download from an exchange' });
  await panel.getByLabel('Exchange', { exact: true }).selectOption('binance');
  await panel.getByText('Advanced: API URL').click();
  await panel.getByLabel('API URL').fill(venueA.url);
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText(`binance API URL: ${venueA.url}`)).toBeVisible();
  await panel.getByLabel('Exchange symbol').fill('BTC/USDT');
  await panel.getByLabel('Download timeframe').selectOption('1m');
  const from = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 16);
  await panel.getByLabel('From', { exact: true }).fill(from);
  await panel.getByRole('button', { name: 'Download', exact: true }).click();
  const bar = panel.getByRole('progressbar', { name: 'Download progress binance:BTC/USDT 1m' });
  await expect(bar).toBeVisible();
  // Seen part-way: more than nothing, less than all.
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 30_000 }).toBeGreaterThan(0);
  await app.shot('exchanges-download-progress');
  expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(100);
  await expect(panel.getByLabel('Download status')).toContainText('done', { timeout: 60_000 });
  await expect(bar).toHaveAttribute('aria-valuenow', '100');
  const datasets = page.getByRole('region', { name: 'Datasets' });
  await expect(datasets.getByRole('row').filter({ hasText: 'binance:BTC/USDT' })).toContainText('1m');

  // The quality report of the new dataset, with its strip.
  await datasets.getByRole('button', { name: 'Quality binance:BTC/USDT 1m' }).click();
  const quality = page.getByRole('region', { name: 'Quality report binance:BTC/USDT 1m' });
  await expect(quality).toBeVisible();
  await expect(quality.getByRole('img', { name: 'Quality strip binance:BTC/USDT 1m' })).toBeVisible();
  await expect(quality.getByLabel('Gaps', { exact: true })).toHaveText('2');
  await expect(quality.locator('rect[data-kind="gaps"]').first()).toBeVisible();
  await app.shot('exchanges-data');

  // 2. Open it on the chart.
  await panel.getByRole('button', { name: 'Open binance:BTC/USDT on the chart' }).click();
  const chart = page.getByRole('img', { name: 'Price chart binance:BTC/USDT 1m' });
  await expect(chart).toBeVisible();
  await expect.poll(async () => Number(await chart.getAttribute('data-bars'))).toBeGreaterThan(1000);

  // 3. A live stream of it ticks the chart; the ladder shows the book.
  const live = page.getByRole('region', { name: 'Live stream' });
  await live.getByLabel('Stream exchange').selectOption('binance');
  await live.getByLabel('Stream symbol').fill('BTC/USDT');
  await live.getByLabel('Stream timeframe').selectOption('1m');
  await live.getByRole('button', { name: 'Start' }).click();
  const legend = page.getByRole('group', { name: 'Price legend' });
  await expect(legend.getByRole('status', { name: /Stream LIVE/ })).toBeVisible({ timeout: 30_000 });
  const close = () => legend.getByText(/^C /).innerText();
  const first = await close();
  await expect.poll(close, { timeout: 20_000 }).not.toBe(first);
  await expect(live.getByRole('table', { name: 'Depth ladder binance:BTC/USDT' })).toBeVisible();
  await app.shot('exchanges-live');

  // The feed goes quiet: the chart says STALE (typed state on the wire), then LIVE again.
  await venueA.control('/_sim/pause?ms=14000');
  await expect(legend.getByRole('status', { name: /Stream STALE/ })).toBeVisible({ timeout: 20_000 });
  await app.shot('exchanges-stale');
  await expect(legend.getByRole('status', { name: /Stream LIVE/ })).toBeVisible({ timeout: 30_000 });
  await live.getByRole('button', { name: 'Stop binance:BTC/USDT|1m' }).click();
  await expect(legend.getByRole('status', { name: /Stream/ })).toHaveCount(0);

  // 4. A second venue (Binance.US's API, the second simulator), then the spread of the two.
  await nav.getByRole('button', { name: 'Data' }).click();
  await panel.getByLabel('Exchange', { exact: true }).selectOption('binanceus');
  await panel.getByText('Advanced: API URL').click();
  await panel.getByLabel('API URL').fill(venueB.url);
  await panel.getByRole('button', { name: 'Save' }).click();
  await panel.getByLabel('From', { exact: true }).fill(from);
  await panel.getByRole('button', { name: 'Download', exact: true }).click();
  await expect(panel.getByLabel('Download status')).toContainText(/binanceus:BTC\/USDT 1m.*done/, { timeout: 60_000 });

  await nav.getByRole('button', { name: 'Spread' }).click();
  const settings = page.getByRole('region', { name: 'Spread settings' });
  await settings.getByLabel('Venue A').selectOption('binance:BTC/USDT|1m');
  await settings.getByLabel('Venue B').selectOption('binanceus:BTC/USDT|1m');
  await settings.getByLabel('Fee A').fill('2');
  await settings.getByLabel('Fee B').fill('2');
  await settings.getByLabel('Slippage').fill('1');
  await settings.getByLabel('Threshold').fill('5');
  await settings.getByRole('button', { name: 'Analyse' }).click();
  const results = page.getByRole('region', { name: 'Spread results' });
  await expect(results.getByLabel('Spread summary')).toContainText('binance:BTC/USDT vs binanceus:BTC/USDT');
  await expect(results.getByRole('img', { name: 'Spread chart binance:BTC/USDT vs binanceus:BTC/USDT' })).toBeVisible();
  await expect(results.getByRole('region', { name: 'Opportunities' }).getByRole('row').nth(1)).toBeVisible();
  await app.shot('exchanges-spread');
});
