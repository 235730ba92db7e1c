import { expect, test } from '../support/fixtures';

test('a paper order shows in orders, fills and positions', async ({ app }) => {
  const { page } = app;
  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill('0.01');
  const check = ticket.getByRole('region', { name: 'Pre-trade check' });
  await expect(check).toContainText('Est. fee');
  await expect(check.getByRole('status')).toHaveText('Risk check passed');
  await ticket.getByRole('button', { name: 'Place buy order' }).click();
  await expect(ticket.getByRole('alert')).toContainText('sent');
  // The same order again is a duplicate only within the duplicate window; after it the ticket clears.
  await expect(check.getByRole('status')).toHaveText('Risk check passed', { timeout: 5_000 });
  await expect(ticket.getByRole('button', { name: 'Place buy order' })).toBeEnabled();

  const blotters = page.getByRole('tablist', { name: 'Blotters' });
  await blotters.getByRole('tab', { name: 'Order history' }).click();
  const history = page.getByRole('region', { name: 'Order history' });
  await expect(history.getByRole('row').filter({ has: page.getByRole('gridcell', { name: 'filled', exact: true }) })).toHaveCount(1);
  await blotters.getByRole('tab', { name: 'Fills' }).click();
  await expect(page.getByRole('region', { name: 'Fills' }).getByRole('row').filter({ hasText: 'BTC/USDT' })).toHaveCount(1);
  await blotters.getByRole('tab', { name: 'Positions' }).click();
  const position = page.getByRole('region', { name: 'Positions' }).getByRole('row').filter({ hasText: 'BTC/USDT' });
  await expect(position).toContainText('0.01');
  await app.shot('markets-position');

  await position.getByRole('button', { name: 'Flatten BTC/USDT' }).click();
  await expect(position.getByRole('button', { name: 'Flatten BTC/USDT' })).toHaveCount(0);
});

test('a limit order works, then is cancelled', async ({ app }) => {
  const { page } = app;
  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByLabel('Order type').selectOption('limit');
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill('0.01');
  await ticket.getByLabel('Limit price').fill('21000'); // below the market, inside the 5% price collar
  await expect(ticket.getByRole('region', { name: 'Pre-trade check' }).getByRole('status')).toHaveText('Risk check passed');
  await ticket.getByRole('button', { name: 'Place buy order' }).click();
  const working = page.getByRole('region', { name: 'Working orders' });
  const limitRow = working.getByRole('row').filter({ has: page.getByRole('gridcell', { name: 'limit', exact: true }) });
  await expect(limitRow).toHaveCount(1);
  await app.shot('markets-working');
  await limitRow.getByRole('button', { name: /^Cancel order/ }).click();
  await expect(limitRow).toHaveCount(0);
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Order history' }).click();
  await expect(page.getByRole('region', { name: 'Order history' }).getByRole('gridcell', { name: 'cancelled', exact: true })).toHaveCount(1);
});
