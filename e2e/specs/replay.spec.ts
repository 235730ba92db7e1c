import { expect, test } from '../support/fixtures';

/**
 * Market replay: stored bars played as a live feed to the paper desk. The chart reloads to
 * the cursor and advances with the replayed bars; a resting limit order fills from them.
 */
test('a replay advances the chart, pauses, and fills a resting limit order', async ({ app }) => {
  const { page } = app;
  const replay = page.getByRole('group', { name: 'Market replay' });
  const cursor = replay.getByLabel('Replay cursor');
  const barTime = page.getByRole('group', { name: 'Price legend' }).getByLabel('Bar time');

  // an overlay follows the replay too (extended per closed bar)
  await page.getByRole('button', { name: 'Indicators' }).click();
  await page.getByRole('menuitem', { name: /^Simple moving average/ }).click();
  await expect(page.getByRole('list', { name: 'Indicators on chart' }).getByRole('listitem')).toHaveCount(1);

  await replay.getByLabel('Replay speed').selectOption('10');
  await replay.getByRole('button', { name: 'Replay', exact: true }).click();
  await expect(replay.getByRole('button', { name: 'Pause replay' })).toBeVisible();
  const first = await cursor.textContent();
  await expect(cursor).not.toHaveText(first ?? '');
  // the chart follows: the legend's latest bar moves on as bars are replayed
  const shownAt = await barTime.textContent();
  await expect(barTime).not.toHaveText(shownAt ?? '');
  await expect(page.getByRole('group', { name: 'Price legend' }).getByRole('alert')).toHaveCount(0);
  await page.waitForTimeout(1500); // a few more bars, for the screenshot
  await app.shot('markets-replay');

  await page.keyboard.press('p'); // the play/pause shortcut
  await expect(replay.getByRole('button', { name: 'Play replay' })).toBeVisible();
  const pausedAt = await cursor.textContent();
  await page.waitForTimeout(1000);
  await expect(cursor).toHaveText(pausedAt ?? '');
  await replay.getByRole('button', { name: 'Step replay' }).click();
  await expect(cursor).not.toHaveText(pausedAt ?? '');
  // playing again, slowly: the desk's reference price stays fresh while the order is entered
  await replay.getByLabel('Replay speed').selectOption('2');
  await replay.getByRole('button', { name: 'Play replay' }).click();

  // a buy limit a little under the replayed price rests, then fills as the bars go by
  const close = Number((await page.getByRole('group', { name: 'Price legend' }).locator('span', { hasText: /^C / }).locator('b').textContent())?.replace(/,/g, ''));
  expect(close).toBeGreaterThan(0);
  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByLabel('Order type').selectOption('limit');
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill('0.01');
  await ticket.getByLabel('Limit price').fill((close * 0.999).toFixed(2));
  await expect(ticket.getByRole('region', { name: 'Pre-trade check' }).getByRole('status')).toHaveText('Risk check passed');
  await ticket.getByRole('button', { name: 'Place buy order' }).click();
  const working = page.getByRole('region', { name: 'Working orders' });
  await expect(working.getByRole('row').filter({ has: page.getByRole('gridcell', { name: 'limit', exact: true }) })).toHaveCount(1);

  await replay.getByLabel('Replay speed').selectOption('50');
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Fills' }).click();
  await expect(page.getByRole('region', { name: 'Fills' }).getByRole('row').filter({ hasText: 'BTC/USDT' })).toHaveCount(1, { timeout: 30_000 });
  await app.shot('markets-replay-fill');

  // stopped (or at its end), the chart is back to plain history and a new replay can start
  if (await replay.getByRole('button', { name: 'Stop replay' }).isVisible()) await replay.getByRole('button', { name: 'Stop replay' }).click();
  await expect(replay.getByRole('button', { name: 'Replay', exact: true })).toBeVisible();
});

test('the Risk screen shows VaR and ES by method for the open position', async ({ app }) => {
  const { page } = app;
  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill('0.01');
  await expect(ticket.getByRole('region', { name: 'Pre-trade check' }).getByRole('status')).toHaveText('Risk check passed');
  await ticket.getByRole('button', { name: 'Place buy order' }).click();
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Positions' }).click();
  await expect(page.getByRole('region', { name: 'Positions' }).getByRole('row').filter({ hasText: 'BTC/USDT' })).toHaveCount(1);

  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Risk' }).click();
  const analytics = page.getByRole('region', { name: 'Portfolio VaR and stress' });
  const table = analytics.getByRole('table', { name: 'Value at risk' });
  await expect(table.getByRole('row')).toHaveCount(5); // header + four methods
  for (const method of ['Historical', 'Gaussian', 'Cornish–Fisher', 'Monte Carlo']) await expect(table.getByRole('rowheader', { name: method })).toBeVisible();
  await expect(table.getByRole('columnheader', { name: 'VaR 99 %' })).toBeVisible();
  await expect(table.getByRole('columnheader', { name: 'ES 95 %' })).toBeVisible();
  // figures are losses as percentages, not blanks
  await expect(table.getByRole('row').nth(1).getByRole('cell').first()).toHaveText(/^\d+\.\d+%$/);
  await expect(analytics.getByRole('table', { name: 'Stress days' })).toBeVisible();
  await app.shot('risk-analytics');
});
