import { expect, test } from '../support/fixtures';

test('first run shows the chart of the sample data', async ({ app }) => {
  const { page } = app;
  await expect(page.getByRole('status', { name: 'Trading mode: PAPER' })).toBeVisible();
  const chart = page.getByRole('img', { name: /Price chart BTC\/USDT 5m/ });
  await expect(chart).toBeVisible();
  await expect(chart).not.toHaveAttribute('data-bars', '0');
  await expect(page.getByRole('group', { name: 'Price legend' })).toContainText('BTC/USDT');
  // the chart really drew: its canvas is there and sized
  const box = await chart.locator('canvas').first().boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(300);
  await app.shot('markets');
});

test('add and remove indicators from the menu', async ({ app }) => {
  const { page } = app;
  const onChart = page.getByRole('list', { name: 'Indicators on chart' });
  await page.getByRole('button', { name: 'Indicators' }).click();
  await page.getByRole('menuitem', { name: /^Simple moving average/ }).click();
  await expect(onChart.getByRole('listitem')).toHaveCount(1);
  await page.getByRole('button', { name: 'Indicators' }).click();
  await page.getByRole('menuitem', { name: /^Relative strength index/ }).click();
  await expect(onChart.getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('group', { name: 'Price legend' }).getByRole('alert')).toHaveCount(0);
  await app.shot('markets-indicators');

  await onChart.getByRole('button', { name: /^Remove Simple moving average/ }).click();
  await expect(onChart.getByRole('listitem')).toHaveCount(1);
  await expect(onChart.getByRole('button', { name: /^Remove Simple moving average/ })).toHaveCount(0);
  await onChart.getByRole('button', { name: /^Remove Relative strength index/ }).click();
  await expect(onChart.getByRole('listitem')).toHaveCount(0);
});

test("indicators draw as the catalogue styles them: the awesome oscillator's histogram, the parabolic SAR's dots", async ({ app }) => {
  const { page } = app;
  const onChart = page.getByRole('list', { name: 'Indicators on chart' });
  for (const name of [/^Awesome oscillator/, /^Parabolic SAR/, /^MACD/]) {
    await page.getByRole('button', { name: 'Indicators' }).click();
    await page.getByRole('menuitem', { name }).click();
  }
  await expect(onChart.getByRole('listitem')).toHaveCount(3);
  await expect(page.getByRole('group', { name: 'Price legend' }).getByRole('alert')).toHaveCount(0);
  await app.shot('markets-ao-psar-macd');
});

test('help overlay lists the shortcuts', async ({ app }) => {
  const { page } = app;
  await page.getByRole('img', { name: /Price chart/ }).click();
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toContainText('Ctrl/Cmd + Shift + K');
  await app.shot('help');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('panel sizes persist across a reload', async ({ app }) => {
  const { page } = app;
  const divider = page.getByRole('separator', { name: 'Resize blotters' });
  const before = Number(await divider.getAttribute('aria-valuenow'));
  await divider.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowUp');
  await expect(divider).toHaveAttribute('aria-valuenow', String(before + 150));
  // saving is debounced; wait until the saved layout holds the new size, then reload
  await expect.poll(() => page.evaluate(() => localStorage.getItem('keel.layout.v1'))).toContain(String(before + 150));
  await page.reload();
  await expect(page.getByRole('separator', { name: 'Resize blotters' })).toHaveAttribute('aria-valuenow', String(before + 150));
  await app.shot('markets-resized');
});
