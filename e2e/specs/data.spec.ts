import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '../support/fixtures';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

test('import a good file and malformed ones', async ({ app }) => {
  const { page } = app;
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Data' }).click();
  const datasets = page.getByRole('region', { name: 'Datasets' });
  await expect(datasets.getByRole('row').filter({ hasText: 'BTC/USDT' }).first()).toBeVisible();

  await page.getByLabel('Symbol (optional)').fill('XRP/USDT');
  await page.getByLabel('Data file').setInputFiles(join(fixtures, 'xrp-usdt-1h-2021-11.csv'));
  const good = page.getByRole('region', { name: 'Import report xrp-usdt-1h-2021-11.csv' });
  await expect(good).toContainText(/Rows stored\s*100(?!\d)/);
  await expect(good).toContainText(/Rejected\s*0(?!\d)/);
  await expect(datasets.getByRole('row').filter({ hasText: 'XRP/USDT' })).toContainText('1h');

  await page.getByLabel('Symbol (optional)').fill('');
  await page.getByLabel('Data file').setInputFiles(join(fixtures, 'btc-usdt-5m-bad-rows.csv'));
  const bad = page.getByRole('region', { name: 'Import report btc-usdt-5m-bad-rows.csv' });
  await expect(bad).toContainText(/Rows stored\s*37(?!\d)/);
  const rejected = bad.getByRole('table', { name: 'Rejected rows' });
  await expect(rejected).toBeVisible();
  for (const line of ['6', '21', '31']) await expect(rejected.getByRole('cell', { name: line, exact: true })).toBeVisible();

  // a file whose columns do not match its header is refused whole, and the page says where
  await page.getByLabel('Data file').setInputFiles(join(fixtures, 'btc-usdt-5m-wrong-columns.csv'));
  await expect(page.getByRole('alert').filter({ hasText: 'Import failed' })).toContainText(':13:');
  await app.shot('data');
});

test('system screen shows the engine and its logs', async ({ app }) => {
  const { page } = app;
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'System' }).click();
  const status = page.getByRole('region', { name: 'Engine status' });
  await expect(status).toContainText('Uptime');
  await expect(status).toContainText(/ready|degraded|starting/);
  await expect(status).toContainText('TradingPAPER');
  await expect(page.getByRole('list', { name: 'Log entries' }).getByRole('listitem').first()).toBeVisible();
  await app.shot('system');
});

test('an export goes into the exports folder and asks before replacing an earlier one', async ({ app }) => {
  test.skip(app.target !== 'browser', 'under Electron the save dialog picks the file (and asks itself)');
  const { page } = app;
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Data' }).click();
  const exportBtc = page.getByRole('button', { name: 'Export BTC/USDT 5m' });
  await exportBtc.click();
  const target = join(app.home, 'exports', 'BTC-USDT-5m.csv');
  await expect(page.getByText(`Exported 10999 rows to ${target}`)).toBeVisible();
  const firstWrite = statSync(target).mtimeMs;

  // Declined: the earlier export stays as it was.
  page.once('dialog', (d) => {
    expect(d.message()).toContain('already in the exports folder. Replace it?');
    void d.dismiss();
  });
  await exportBtc.click();
  await expect(page.getByText(/Export: .*a file of that name exists/)).toBeVisible();
  expect(statSync(target).mtimeMs).toBe(firstWrite);

  page.once('dialog', (d) => void d.accept());
  await exportBtc.click();
  await expect(page.getByText(`Exported 10999 rows to ${target}`).last()).toBeVisible();
  await expect.poll(() => statSync(target).mtimeMs).toBeGreaterThan(firstWrite);
  await app.shot('data-export');
});
