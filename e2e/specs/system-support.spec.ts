import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '../support/fixtures';

// Issue 15: local diagnostics (a log viewer with level filter and search, Export diagnostics),
// a backup from the app while the engine runs, and the About dialog with every third-party
// licence and the TradingView attribution.
test('the System screen searches the logs, exports diagnostics, backs up, and shows the licences', async ({ app }) => {
  const page = app.page;
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'System' }).click();
  const logs = page.getByRole('list', { name: 'Log entries' });
  await expect(logs.getByRole('listitem').filter({ hasText: 'imported sample data' })).toHaveCount(1);

  // Search: only matching lines, and the level filter still applies.
  const search = page.getByRole('searchbox', { name: 'Search logs' });
  await search.fill('SAMPLE DATA');
  await expect(logs.getByRole('listitem')).toHaveCount(1);
  await expect(logs.getByRole('listitem')).toContainText('imported sample data: BTC/USDT 5m');
  await page.getByRole('combobox').filter({ hasText: 'info' }).selectOption('error');
  await expect(logs.getByRole('listitem')).toHaveText('No log entries at this level match "SAMPLE DATA".');
  await page.getByRole('combobox').filter({ hasText: 'error' }).selectOption('info');
  await search.fill('');

  // Export diagnostics: a zip in the home's exports folder, valid, with the logs and versions.
  await page.getByRole('button', { name: 'Export diagnostics' }).click();
  const result = page.getByRole('status', { name: 'Support result' });
  await expect(result).toContainText('Diagnostics written to');
  const zipPath = /written to (\S+\.zip)/.exec((await result.textContent()) ?? '')![1]!;
  expect(zipPath.startsWith(join(app.home, 'exports'))).toBe(true);
  expect(execFileSync('unzip', ['-t', zipPath], { encoding: 'utf8' })).toContain('No errors detected');
  const names = execFileSync('unzip', ['-Z1', zipPath], { encoding: 'utf8' });
  expect(names).toContain('logs/engine.log');
  expect(names).toContain('versions.json');
  await expect(logs.getByRole('listitem').filter({ hasText: 'diagnostics written to' })).toHaveCount(1);
  await app.shot('system-support');

  // Back up now: a complete backup folder while the engine serves.
  await page.getByRole('button', { name: 'Back up now' }).click();
  await expect(result).toContainText('Backup written to');
  const dir = /written to (\S+) \(/.exec((await result.textContent()) ?? '')![1]!;
  const manifest = JSON.parse(readFileSync(join(dir, 'keel-backup.json'), 'utf8')) as { files: { path: string }[] };
  expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['market.duckdb', 'state.sqlite']));
  expect(existsSync(join(dir, 'serve-token'))).toBe(false);

  // About: the attribution link, the notice, and the licences generated from the dependencies.
  await page.getByRole('button', { name: 'About Keel and licences' }).click();
  const about = page.getByRole('dialog', { name: 'About Keel' });
  await expect(about.getByRole('link', { name: 'https://www.tradingview.com/' }).first()).toHaveAttribute('href', 'https://www.tradingview.com/');
  await expect(about.getByRole('region', { name: 'Chart attribution' })).toContainText('TradingView Lightweight Charts™');
  await expect(about).toContainText('GPL-3.0');
  const list = about.getByRole('list', { name: 'Third-party licences' });
  await expect(about.getByRole('heading', { name: /Third-party licences \(\d+ packages\)/ })).toBeVisible();
  expect(await list.getByRole('listitem').count()).toBeGreaterThan(50);
  await app.shot('about');
  await about.getByRole('searchbox', { name: 'Filter licences' }).fill('lightweight');
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await list.getByText('lightweight-charts', { exact: true }).click();
  await expect(list.getByLabel('lightweight-charts LICENSE')).toContainText('Apache License');
  await app.shot('about-lightweight-charts');
  await page.keyboard.press('Escape');
  await expect(about).toHaveCount(0);
});
