import { expect, test, waitConnected } from '../support/fixtures';

// Issue 10, section 8: logs from before a restart were gone. The engine keeps them in rotating
// files under <home>/logs and starts from their last lines, so the System screen shows them.
test('the System screen shows log lines from before an engine restart', async ({ app }) => {
  let page = app.page;
  const screens = page.getByRole('navigation', { name: 'Screens' });
  await screens.getByRole('button', { name: 'System' }).click();
  const logs = page.getByRole('list', { name: 'Log entries' });
  // Lines only the first run writes: the shipped sample data is imported on the first start.
  const sampleImport = logs.getByRole('listitem').filter({ hasText: 'imported sample data: BTC/USDT 5m (10999 bars)' });
  await expect(sampleImport).toHaveCount(1);
  await expect(logs.getByRole('listitem').filter({ hasText: /engine ready in \d+ ms/ })).toHaveCount(1);

  await app.restartEngine();
  // A fresh page too, so nothing it remembered from the first run can stand in for the engine's answer.
  page = app.page;
  await page.reload();
  await waitConnected(page);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'System' }).click();
  await expect(sampleImport).toHaveCount(1);
  await expect(logs.getByRole('listitem').filter({ hasText: 'stopping on SIGTERM' })).toHaveCount(1);
  // Both runs' start-ups: the one before the restart and this one.
  await expect(logs.getByRole('listitem').filter({ hasText: /engine ready in \d+ ms/ })).toHaveCount(2);
  await app.shot('system-logs-after-restart');
});
