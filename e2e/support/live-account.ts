import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/**
 * The steps a trader takes before anything runs live, through the UI: the exchange's market
 * downloaded into the store (Data screen), an account added with its key (System screen), live
 * enabled with its typed confirmation, and its desk reconciled (Risk screen).
 */
export async function downloadMarket(page: Page, apiUrl: string, symbol: string, timeframe: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Screens' });
  await nav.getByRole('button', { name: 'Data' }).click();
  const dl = page.getByRole('region', { name: 'Download from an exchange' });
  await dl.getByLabel('Exchange', { exact: true }).selectOption('binance');
  await dl.getByText('Advanced: API URL').click();
  await dl.getByLabel('API URL').fill(apiUrl);
  await dl.getByRole('button', { name: 'Save' }).click();
  await dl.getByLabel('Exchange symbol').fill(symbol);
  await dl.getByLabel('Download timeframe').selectOption(timeframe);
  await dl.getByLabel('From', { exact: true }).fill(new Date(Date.now() - 86_400_000).toISOString().slice(0, 16));
  await dl.getByRole('button', { name: 'Download', exact: true }).click();
  await expect(dl.getByLabel('Download status')).toContainText('done', { timeout: 60_000 });
}

export async function addLiveAccount(page: Page, o: { name: string; apiUrl: string; key: string; secret: string }): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Screens' });
  await nav.getByRole('button', { name: 'System' }).click();
  const accounts = page.getByRole('region', { name: 'Exchange accounts' });
  await accounts.getByRole('button', { name: 'Add account…' }).click();
  const add = page.getByRole('dialog', { name: 'Add an exchange account' });
  await add.getByLabel('Exchange', { exact: true }).selectOption('binance');
  await add.getByLabel('Account name', { exact: true }).fill(o.name);
  await add.getByLabel('API URL', { exact: true }).fill(o.apiUrl);
  await add.getByLabel('API key', { exact: true }).fill(o.key);
  await add.getByLabel('API secret', { exact: true }).fill(o.secret);
  await add.getByRole('button', { name: 'Add account' }).click();
  await expect(add).toHaveCount(0, { timeout: 30_000 });
  const row = accounts.getByRole('row', { name: `Account ${o.name}` });
  await row.getByRole('button', { name: 'Enable live…' }).click();
  const confirm = page.getByRole('dialog', { name: `Enable live trading on ${o.name}?` });
  await confirm.getByLabel('Live confirmation').fill(`LIVE ${o.name}`);
  await confirm.getByRole('button', { name: 'Enable live' }).click();
  await expect(confirm).toHaveCount(0);
  await nav.getByRole('button', { name: 'Risk' }).click();
  const desk = page.getByRole('region', { name: `Live account ${o.name}` });
  await expect(desk.getByRole('status', { name: `Reconciliation ${o.name}` })).toHaveText('reconciled', { timeout: 30_000 });
}
