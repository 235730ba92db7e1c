import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

async function importXrp(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Data' }).click();
  await page.getByLabel('Symbol (optional)').fill('XRP/USDT');
  await page.getByLabel('Data file').setInputFiles(join(fixtures, 'xrp-usdt-1h-2021-11.csv'));
  await expect(page.getByRole('region', { name: 'Import report xrp-usdt-1h-2021-11.csv' })).toContainText(/Rows stored\s*100(?!\d)/);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Markets' }).click();
}

const chart = (page: Page, n: number) => page.getByRole('region', { name: `Chart ${n}` });
const barTime = (page: Page, n: number) => chart(page, n).getByRole('group', { name: 'Price legend' }).getByLabel('Bar time');

test('a two-chart layout keeps its link across a reload; the timeframe is remembered per symbol; layouts are saved by name', async ({ app }) => {
  test.setTimeout(90_000); // an import, a reload and a dozen chart loads
  const { page } = app;
  await importXrp(page);
  const toolbar = page.getByRole('toolbar', { name: 'Chart' });
  const timeframes = toolbar.getByRole('radiogroup', { name: 'Timeframe' });

  // BTC at 15m, then XRP (1h), then back to BTC: it comes back at 15m.
  await timeframes.getByRole('radio', { name: '15m' }).click();
  await toolbar.getByLabel('Symbol').selectOption('XRP/USDT');
  await expect(page.getByRole('img', { name: 'Price chart XRP/USDT 1h' })).toBeVisible();
  await toolbar.getByLabel('Symbol').selectOption('BTC/USDT');
  await expect(page.getByRole('img', { name: 'Price chart BTC/USDT 15m' })).toBeVisible();

  await toolbar.getByRole('radio', { name: 'Two charts' }).click();
  await expect(chart(page, 2).getByRole('img', { name: /^Price chart BTC\/USDT/ })).toBeVisible();
  await toolbar.getByRole('button', { name: 'Link symbol' }).click();
  await toolbar.getByRole('button', { name: 'Link crosshair' }).click();
  // The second chart on another timeframe, the first one active again.
  await chart(page, 2).click({ position: { x: 60, y: 200 } });
  await timeframes.getByRole('radio', { name: '1h' }).click();
  await chart(page, 1).click({ position: { x: 60, y: 200 } });

  // Linked by symbol: the second chart follows the first, keeping its own timeframe where it can.
  await toolbar.getByLabel('Symbol').selectOption('XRP/USDT');
  await expect(chart(page, 1).getByRole('img', { name: 'Price chart XRP/USDT 1h' })).toBeVisible();
  await expect(chart(page, 2).getByRole('img', { name: 'Price chart XRP/USDT 1h' })).toBeVisible();

  // Back to BTC: the first chart opens it at the timeframe BTC was last shown at (1h, on the second chart).
  await toolbar.getByLabel('Symbol').selectOption('BTC/USDT');
  await expect(chart(page, 1).getByRole('img', { name: 'Price chart BTC/USDT 1h' })).toBeVisible();
  await timeframes.getByRole('radio', { name: '15m' }).click();
  await expect(chart(page, 1).getByRole('img', { name: 'Price chart BTC/USDT 15m' })).not.toHaveAttribute('data-bars', '0');
  await expect(chart(page, 2).getByRole('img', { name: 'Price chart BTC/USDT 1h' })).not.toHaveAttribute('data-bars', '0');

  // Linked by crosshair: the hour hovered on the second chart is the bar the first chart's legend reads.
  const box = (await chart(page, 2).getByRole('img').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  const hovered = await barTime(page, 2).textContent();
  expect(hovered).toMatch(/:00:00$/);
  await expect(barTime(page, 1)).toHaveText(hovered!);
  await app.shot('markets-two-charts');

  await toolbar.getByRole('button', { name: 'Layouts' }).click();
  await page.getByRole('textbox', { name: 'Layout name' }).fill('BTC pair');
  await page.getByRole('textbox', { name: 'Layout name' }).press('Enter');
  await expect(page.getByRole('list', { name: 'Saved layouts' }).getByRole('button', { name: /^BTC pair/ })).toBeVisible();
  await page.keyboard.press('Escape');

  // After a reload (the layout lives in the engine): two charts, still linked.
  await page.reload();
  await expect(chart(page, 1).getByRole('img', { name: 'Price chart BTC/USDT 15m' })).toBeVisible();
  await expect(chart(page, 2).getByRole('img', { name: 'Price chart BTC/USDT 1h' })).toBeVisible();
  await expect(toolbar.getByRole('button', { name: 'Link symbol' })).toHaveAttribute('aria-pressed', 'true');
  await toolbar.getByLabel('Symbol').selectOption('XRP/USDT');
  await expect(chart(page, 2).getByRole('img', { name: 'Price chart XRP/USDT 1h' })).toBeVisible();

  // One chart, then the saved layout back.
  await toolbar.getByRole('radio', { name: 'One chart' }).click();
  await expect(chart(page, 2)).toHaveCount(0);
  await toolbar.getByRole('button', { name: 'Layouts' }).click();
  await page.getByRole('list', { name: 'Saved layouts' }).getByRole('button', { name: /^BTC pair/ }).click();
  await expect(chart(page, 2).getByRole('img', { name: 'Price chart BTC/USDT 1h' })).toBeVisible();
  await expect(chart(page, 1).getByRole('img', { name: 'Price chart BTC/USDT 15m' })).toBeVisible();

  // The watchlist: last price, change, sparkline; a click opens the symbol on the active chart.
  await page.getByRole('tablist', { name: 'Side panel' }).getByRole('tab', { name: 'Watchlist' }).click();
  const list = page.getByRole('region', { name: 'Watchlist' });
  await list.getByRole('button', { name: 'Add all' }).click();
  await expect(list.getByLabel('Last price of XRP/USDT')).toHaveText(/^\d+\.\d{4}$/);
  await expect(list.getByRole('row').filter({ hasText: 'BTC/USDT' })).toContainText(/\d+\.\d\d%/);
  await expect(list.locator('svg.sparkline polyline')).toHaveCount(2);
  await list.getByRole('button', { name: 'Open XRP/USDT' }).click();
  await expect(chart(page, 1).getByRole('img', { name: /^Price chart XRP\/USDT/ })).toBeVisible();
  await app.shot('markets-watchlist');
});
