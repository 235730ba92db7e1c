import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures';

// The money-path defects a trader found: a kill switch or a Flatten that leaves a position
// open while a reduce-only stop covers it, and risk gauges that forget the day at a restart.

async function marketOrder(page: Page, side: 'buy' | 'sell', qty: string): Promise<void> {
  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByRole('group', { name: 'Side' }).getByRole('button', { name: side === 'buy' ? 'Buy' : 'Sell' }).click();
  await ticket.getByLabel('Order type').selectOption('market');
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill(qty);
  await expect(ticket.getByRole('region', { name: 'Pre-trade check' }).getByRole('status')).toHaveText('Risk check passed');
  await ticket.getByRole('button', { name: `Place ${side} order` }).click();
  await expect(ticket.getByRole('alert')).toContainText('sent');
}

/** Buys 0.2 BTC and protects it with a reduce-only sell stop below the market. */
async function longWithReduceOnlyStop(page: Page): Promise<void> {
  await marketOrder(page, 'buy', '0.2');
  const positions = page.getByRole('region', { name: 'Positions' });
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Positions' }).click();
  await expect(positions.getByRole('row').filter({ hasText: 'BTC/USDT' })).toContainText('0.2');

  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByRole('group', { name: 'Side' }).getByRole('button', { name: 'Sell' }).click();
  await ticket.getByLabel('Order type').selectOption('stop');
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill('0.2');
  await ticket.getByLabel('Stop price').fill('21000'); // ~4% under the sample's last close, inside the price collar
  await ticket.getByLabel('Reduce only').check();
  await expect(ticket.getByRole('region', { name: 'Pre-trade check' }).getByRole('status')).toHaveText('Risk check passed');
  await ticket.getByRole('button', { name: 'Place sell order' }).click();
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Working orders' }).click();
  await expect(page.getByRole('region', { name: 'Working orders' }).getByRole('row').filter({ has: page.getByRole('gridcell', { name: 'stop', exact: true }) })).toHaveCount(1);
}

async function expectFlat(page: Page): Promise<void> {
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Working orders' }).click();
  await expect(page.getByRole('region', { name: 'Working orders' }).getByRole('row').filter({ hasText: 'BTC/USDT' })).toHaveCount(0);
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Positions' }).click();
  await expect(page.getByRole('region', { name: 'Positions' }).getByRole('row').filter({ hasText: 'BTC/USDT' })).toHaveCount(0);
}

test('the kill switch with "Also flatten" closes a position that a reduce-only stop covers', async ({ app }) => {
  const { page } = app;
  await longWithReduceOnlyStop(page);

  await page.getByRole('button', { name: 'Kill switch' }).click();
  const dialog = page.getByRole('dialog', { name: 'Engage the kill switch?' });
  await expect(dialog.getByLabel('Also flatten all positions')).toBeChecked();
  await dialog.getByRole('button', { name: 'Engage kill switch' }).click();
  await expect(page.getByRole('status', { name: /Trading state: HALTED/ })).toBeVisible();

  await expectFlat(page);
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Order history' }).click();
  const history = page.getByRole('region', { name: 'Order history' });
  await expect(history.getByRole('row').filter({ has: page.getByRole('gridcell', { name: 'stop', exact: true }) })).toContainText('cancelled');
  await expect(history.getByRole('row').filter({ hasText: 'sell' }).filter({ has: page.getByRole('gridcell', { name: 'filled', exact: true }) })).toHaveCount(1);
  await expect(page.getByRole('alert').filter({ hasText: /not flat|failed/i })).toHaveCount(0);
  await app.shot('kill-flattened');
});

test('Flatten cancels the position\'s working exits, closes it, and says what it did', async ({ app }) => {
  const { page } = app;
  await longWithReduceOnlyStop(page);

  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Positions' }).click();
  const row = page.getByRole('region', { name: 'Positions' }).getByRole('row').filter({ hasText: 'BTC/USDT' });
  await row.getByRole('button', { name: 'Flatten BTC/USDT' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Flattened BTC\/USDT: cancelled 1 working order, sent a sell of 0\.2/ })).toBeVisible();
  await expectFlat(page);
  await app.shot('flattened');
});

test('Flatten all cancels the working exits and closes every position', async ({ app }) => {
  const { page } = app;
  await longWithReduceOnlyStop(page);
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Positions' }).click();
  await page.getByRole('button', { name: 'Flatten all' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Flattened BTC\/USDT: cancelled 1 working order, sent a sell of 0\.2/ })).toBeVisible();
  await expectFlat(page);
});

test('the daily-loss gauge reads the day\'s loss after a restart, before any new trade', async ({ app }) => {
  let page = app.page;
  // A round trip loses its fees and slippage: a small, certain daily loss.
  await marketOrder(page, 'buy', '0.4');
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Positions' }).click();
  await page.getByRole('region', { name: 'Positions' }).getByRole('row').filter({ hasText: 'BTC/USDT' }).getByRole('button', { name: 'Flatten BTC/USDT' }).click();
  await expectFlat(page);

  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Risk' }).click();
  const gauge = page.getByRole('meter', { name: 'Daily loss used' });
  await expect(gauge).not.toHaveAttribute('aria-valuenow', '0');
  const before = await gauge.getAttribute('aria-valuenow');
  expect(Number(before)).toBeGreaterThan(0);

  await app.restartEngine();
  page = app.page;
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Risk' }).click();
  await expect(page.getByRole('meter', { name: 'Daily loss used' })).toHaveAttribute('aria-valuenow', before!);
  await app.shot('risk-after-restart');
});
