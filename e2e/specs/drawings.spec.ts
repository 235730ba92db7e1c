import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures';

async function chartBox(page: Page) {
  const host = page.getByRole('img', { name: /^Price chart BTC\/USDT/ });
  await expect(host).not.toHaveAttribute('data-bars', '0');
  return (await host.boundingBox())!;
}

/** The list of drawings, opened from the toolbar once every save has landed. */
async function drawingList(page: Page) {
  const button = page.getByRole('button', { name: 'Drawings', exact: true });
  await expect(button).toHaveText(/^Drawings \(\d+\) ▾$/); // not "saving…"
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  return page.getByRole('list', { name: 'Drawings on BTC/USDT' });
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 6; i++) await page.mouse.move(from.x + ((to.x - from.x) * i) / 6, from.y + ((to.y - from.y) * i) / 6);
  await page.mouse.up();
}

test('a drawn line persists across a reload, moves with the keyboard and goes with Delete; every tool draws', async ({ app }) => {
  test.setTimeout(90_000); // a reload and five drawings drawn by hand
  const { page } = app;
  const box = await chartBox(page);
  const tools = page.getByRole('group', { name: 'Drawing tools' });

  await tools.getByRole('button', { name: 'Horizontal line' }).click();
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.35);
  let list = await drawingList(page);
  const item = list.getByRole('listitem');
  await expect(item).toHaveCount(1);
  const first = await item.getByRole('button').first().textContent();
  expect(first).toMatch(/^Horizontal line [\d,]+\.\d\d$/);
  const priceOf = (t: string | null) => Number((t ?? '').replace(/[^\d.]/g, ''));

  // Selected from the list, it moves up with the arrow keys (each step saved by the engine).
  await item.getByRole('button').first().click();
  await page.keyboard.press('Escape');
  for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowUp');
  list = await drawingList(page);
  const movedText = await item.getByRole('button').first().textContent();
  expect(priceOf(movedText)).toBeGreaterThan(priceOf(first));
  await page.keyboard.press('Escape');

  await page.reload();
  await chartBox(page);
  list = await drawingList(page);
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByRole('listitem').getByRole('button').first()).toHaveText(movedText!);
  await page.keyboard.press('Escape');

  // The other tools: a trend line, a ray and a rectangle by dragging, a Fibonacci retracement, a note.
  const at = (fx: number, fy: number) => ({ x: box.x + box.width * fx, y: box.y + box.height * fy });
  for (const [name, a, b] of [
    ['Trend line', at(0.1, 0.7), at(0.4, 0.45)],
    ['Ray', at(0.15, 0.8), at(0.35, 0.75)],
    ['Rectangle', at(0.55, 0.2), at(0.7, 0.4)],
    ['Fibonacci retracement', at(0.72, 0.15), at(0.9, 0.6)],
  ] as const) {
    await tools.getByRole('button', { name }).click();
    await drag(page, a, b);
  }
  await tools.getByRole('button', { name: 'Text note' }).click();
  await page.mouse.click(box.x + box.width * 0.45, box.y + box.height * 0.12);
  await page.getByRole('textbox', { name: 'Note text' }).fill('breakout?');
  await page.keyboard.press('Enter');
  list = await drawingList(page);
  await expect(list.getByRole('listitem')).toHaveCount(6);
  await expect(list.getByRole('button', { name: 'Text note "breakout?"', exact: true })).toBeVisible();
  await page.keyboard.press('Escape');
  await app.shot('markets-drawings');

  // Delete goes with the keyboard too.
  list = await drawingList(page);
  await list.getByRole('button', { name: /^Trend line/ }).click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Delete');
  list = await drawingList(page);
  await expect(list.getByRole('listitem')).toHaveCount(5);
  await expect(list.getByRole('button', { name: /^Trend line/ })).toHaveCount(0);
});

test('indicator settings: parameters checked as the catalogue defines them, legend values under the crosshair, RSI guides', async ({ app }) => {
  const { page } = app;
  const box = await chartBox(page);
  for (const name of [/^Relative strength index/, /^Simple moving average/]) {
    await page.getByRole('button', { name: 'Indicators' }).click();
    await page.getByRole('menuitem', { name }).click();
  }
  const values = page.getByRole('list', { name: 'Indicator values' });
  await expect(values.getByRole('listitem', { name: 'RSI 14' })).toContainText(/RSI 14 \d+\.\d+/);
  await expect(values.getByRole('listitem', { name: 'SMA 20' })).toContainText(/SMA 20 [\d,]+\.\d+/);

  // Under the crosshair the legend reads that bar's values.
  const latest = await values.getByRole('listitem', { name: 'SMA 20' }).textContent();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await expect(values.getByRole('listitem', { name: 'SMA 20' })).not.toHaveText(latest!);

  await page.getByRole('button', { name: 'Settings of Relative strength index 14' }).click();
  const dialog = page.getByRole('dialog', { name: 'Relative strength index settings' });
  await dialog.getByRole('textbox', { name: 'Period' }).fill('2000');
  await expect(dialog.getByRole('alert')).toHaveText('Period must be between 1 and 1000');
  await expect(dialog.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await dialog.getByRole('textbox', { name: 'Period' }).fill('21');
  await dialog.getByLabel('Source').selectOption('hlc3');
  await dialog.getByLabel('Line width').selectOption('2');
  await app.shot('markets-indicator-settings');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('button', { name: 'Settings of Relative strength index 21, hlc3' })).toBeVisible();
  await page.mouse.move(box.x + 5, box.y - 40); // away from the chart: the latest values
  await expect(values.getByRole('listitem', { name: 'RSI 21, hlc3' })).toContainText(/\d+\.\d+/);
  await expect(page.getByRole('group', { name: 'Price legend' }).getByRole('alert')).toHaveCount(0);
  await app.shot('markets-indicator-legend');
});
