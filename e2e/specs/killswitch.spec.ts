import { expect, test } from '../support/fixtures';

test('the kill switch blocks the next order and survives an engine restart', async ({ app }) => {
  let page = app.page;
  await page.getByRole('button', { name: 'Kill switch' }).click();
  const dialog = page.getByRole('dialog', { name: 'Engage the kill switch?' });
  await dialog.getByRole('button', { name: 'Engage kill switch' }).click();
  await expect(page.getByRole('status', { name: /Trading state: HALTED/ })).toBeVisible();

  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill('0.01');
  await expect(ticket.getByRole('region', { name: 'Pre-trade check' }).getByRole('status')).toContainText('Kill switch: kill switch engaged');
  await expect(ticket.getByRole('button', { name: 'Place buy order' })).toBeDisabled();
  await app.shot('kill-engaged');

  await app.restartEngine();
  page = app.page;
  await expect(page.getByRole('status', { name: /Trading state: HALTED, kill switch engaged/ })).toBeVisible();
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Risk' }).click();
  await expect(page.getByText(/ENGAGED since/)).toBeVisible();
  await app.shot('risk');

  // Reset: one click opens the dialog, a second confirms.
  await page.getByRole('button', { name: /Kill switch engaged/ }).click();
  await page.getByRole('dialog', { name: 'Kill switch is engaged' }).getByRole('button', { name: 'Reset kill switch' }).click();
  await expect(page.getByRole('status', { name: 'Trading state: ACTIVE' })).toBeVisible();
});

test('Ctrl+Shift+K opens the kill switch confirm from anywhere', async ({ app }) => {
  const { page } = app;
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'System' }).click();
  await page.keyboard.press('Control+Shift+K');
  const dialog = page.getByRole('dialog', { name: 'Engage the kill switch?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Engage kill switch' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status', { name: 'Trading state: ACTIVE' })).toBeVisible();
});
