import { expect, test } from '../support/fixtures';

test('orders from the chart: a right-click limit, one-click buttons behind their own confirmation, trading keys that ask first, the position line and its flatten ×', async ({ app }) => {
  const { page } = app;
  const host = page.getByRole('img', { name: /^Price chart BTC\/USDT/ });
  await expect(host).not.toHaveAttribute('data-bars', '0');
  const box = (await host.boundingBox())!;

  // Right-click low on the price pane (under the sample's last price): a buy limit there. (A sell
  // limit above would stand in the way of the market buys below: risk refuses a self-match.)
  await page.mouse.click(box.x + box.width * 0.5, box.y + (box.height - 28) * 0.95, { button: 'right' });
  const menu = page.getByRole('menu', { name: 'Chart actions' });
  await expect(menu.getByRole('menuitem', { name: /^Sell stop 0.01 @/ })).toBeVisible();
  await app.shot('markets-chart-menu');
  await menu.getByRole('menuitem', { name: /^Buy limit 0.01 @/ }).click();
  await expect(page.getByRole('slider', { name: /^limit price of Buy limit 0.01 BTC\/USDT/ })).toBeVisible();

  // One-click trading is off until turned on, and turning it on asks first.
  await expect(page.getByRole('group', { name: 'One-click trading' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Trading settings' }).click();
  const settings = page.getByRole('form', { name: 'Trading settings' });
  await settings.getByRole('checkbox', { name: /^One-click trading/ }).click();
  const confirm = page.getByRole('dialog', { name: 'Turn on one-click trading?' });
  await expect(confirm).toContainText('send market orders at once, with no confirmation');
  await confirm.getByRole('button', { name: 'Turn on one-click trading' }).click();
  await expect(settings.getByRole('checkbox', { name: /^One-click trading/ })).toBeChecked();
  await settings.getByRole('checkbox', { name: /^Trading keys/ }).check();
  await expect(settings.getByRole('textbox', { name: 'Key for Buy at market' })).toHaveValue('Shift+B');
  await app.shot('markets-trading-settings');
  await settings.getByRole('button', { name: 'Save' }).click();

  const oneClick = page.getByRole('group', { name: 'One-click trading' });
  await oneClick.getByRole('button', { name: 'Buy 0.01' }).click();
  const position = page.getByRole('status', { name: 'Position BTC/USDT' });
  await expect(position).toContainText('LONG 0.01 @');
  await expect(position.getByLabel('Unrealised PnL')).toHaveText(/^[+−]?\d+\.\d\d$/);

  // A trading key asks before it sends.
  await page.keyboard.press('Shift+B');
  const ask = page.getByRole('dialog', { name: 'Confirm' });
  await expect(ask).toContainText('Buy 0.01 BTC/USDT at market?');
  await app.shot('markets-hotkey-confirm');
  await page.keyboard.press('Enter');
  await expect(position).toContainText('LONG 0.02 @');
  await app.shot('markets-position-line');

  // The × on the position line flattens it, its working orders cancelled first.
  await page.getByRole('button', { name: 'Flatten BTC/USDT' }).first().click();
  await expect(position).toHaveCount(0);
  await expect(page.getByRole('slider', { name: /^limit price of Buy limit/ })).toHaveCount(0);

  // The settings live in the engine: after a reload one-click is still on.
  await page.reload();
  await expect(page.getByRole('group', { name: 'One-click trading' })).toBeVisible();
});
