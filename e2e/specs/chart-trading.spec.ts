import type { Locator, Page } from '@playwright/test';
import { expect, test } from '../support/fixtures';

/** The number a price label shows ("23,012.50" -> 23012.5). */
const num = (s: string | null) => Number((s ?? '').replace(/[^0-9.\-]/g, ''));

async function marketPrice(page: Page): Promise<number> {
  const close = page.getByRole('group', { name: 'Price legend' }).locator('span', { hasText: /^C / }).locator('b');
  await expect(close).toHaveText(/\d/);
  return num(await close.textContent());
}

/** Drags `handle` by `dy` pixels with the mouse, in steps, as a hand would. */
async function dragBy(page: Page, handle: Locator, dy: number): Promise<void> {
  const box = (await handle.boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(x, y + (dy * i) / 8);
  await page.mouse.up();
}

test('drag a limit order line: the order is modified at the venue and in the blotter; a change refused by risk snaps back with its reason', async ({ app }) => {
  const { page } = app;
  const market = await marketPrice(page);
  // A buy limit 1 % under the market, sized just under the per-order notional limit (10,000):
  // any move up makes it too large, any move down keeps it inside.
  const price = Math.round(market * 0.99 * 100) / 100;
  const qty = Math.floor((9_990 / price) * 10_000) / 10_000;
  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByLabel('Order type').selectOption('limit');
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill(String(qty));
  await ticket.getByLabel('Limit price').fill(String(price));
  await expect(ticket.getByRole('region', { name: 'Pre-trade check' }).getByRole('status')).toHaveText('Risk check passed');
  await ticket.getByRole('button', { name: 'Place buy order' }).click();

  const line = page.getByRole('slider', { name: /^limit price of Buy limit/ });
  await expect(line).toHaveAttribute('aria-valuenow', String(price));
  const working = page.getByRole('region', { name: 'Working orders' });
  const row = working.getByRole('row').filter({ has: page.getByRole('gridcell', { name: 'limit', exact: true }) });
  await expect(row).toHaveCount(1);
  await app.shot('markets-order-line');

  // Dragged down: the venue confirms the new price, the blotter and the line show it.
  await dragBy(page, line, 60);
  await expect(page.getByRole('status').filter({ hasText: /^Modified at the venue: Buy limit/ })).toBeVisible();
  const moved = num(await line.getAttribute('aria-valuenow'));
  expect(moved).toBeLessThan(price);
  const shown = moved.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  await expect(row.getByRole('gridcell', { name: shown, exact: true })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: `@ ${shown}` })).toBeVisible();

  // Dragged up past where it was placed: too large an order now, refused by the risk check; the line goes back.
  await dragBy(page, line, -140);
  const refusal = page.getByRole('alert').filter({ hasText: /^Order too large: notional [\d,.]+ exceeds the per-order maximum 10,000\.$/ });
  await expect(refusal.first()).toBeVisible();
  await expect(line).toHaveAttribute('aria-valuenow', String(moved));
  await expect(row.getByRole('gridcell', { name: shown, exact: true })).toBeVisible();
  await app.shot('markets-modify-refused');

  // In the blotter: a double click on the limit edits it in place, through the same modify.
  const target = Math.round((moved - 5) * 100) / 100;
  await row.getByRole('gridcell', { name: shown, exact: true }).dblclick();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(String(target));
  await page.keyboard.press('Enter');
  const edited = target.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  await expect(row.getByRole('gridcell', { name: edited, exact: true })).toBeVisible();
  await expect(line).toHaveAttribute('aria-valuenow', String(target));

  // From the ticket: Edit opens the order in it; a change of quantity goes through the same modify.
  await row.getByRole('button', { name: /^Change order/ }).click();
  const change = page.getByRole('form', { name: 'Change order' });
  await change.getByLabel('Quantity').fill('0.01');
  await app.shot('markets-ticket-change');
  await change.getByRole('button', { name: 'Send the change' }).click();
  await expect(row.getByRole('gridcell', { name: '0.01', exact: true })).toBeVisible();
  await expect(page.getByRole('form', { name: 'Order ticket' })).toBeVisible();

  // The × on the line cancels the order.
  await page.getByRole('button', { name: /^Cancel Buy limit 0.01 BTC\/USDT/ }).click();
  await expect(row).toHaveCount(0);
  await expect(line).toHaveCount(0);
});
