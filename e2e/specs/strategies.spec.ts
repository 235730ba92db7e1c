import { expect, test } from '../support/fixtures';

/**
 * Systematic trading on the desk: sma-cross runs forward on paper through a market replay on
 * its own ledger, beside manual trading; it is paused, then stopped; its gap report reads.
 */
test('a strategy runs forward through a replay on its own ledger, beside manual trading, and its gap report explains the difference', async ({ app }) => {
  const { page } = app;
  const nav = page.getByRole('navigation', { name: 'Screens' });
  const replay = page.getByRole('group', { name: 'Market replay' });

  // The replay starts (the last 500 bars of the sample) and pauses: the strategy warms up on what came before.
  await replay.getByLabel('Replay speed').selectOption('2');
  await replay.getByRole('button', { name: 'Replay', exact: true }).click();
  await replay.getByRole('button', { name: 'Pause replay' }).click();
  await expect(replay.getByRole('button', { name: 'Play replay' })).toBeVisible();

  await nav.getByRole('button', { name: 'Strategies' }).click();
  const form = page.getByRole('form', { name: 'Start a strategy' });
  await form.getByLabel('Strategy').selectOption('sma-cross');
  await form.getByLabel('Market').selectOption('BTC/USDT|5m');
  await form.getByLabel('Allocation').fill('8000');
  await form.getByRole('spinbutton', { name: 'fast' }).fill('3');
  await form.getByRole('spinbutton', { name: 'slow' }).fill('8');
  await form.getByRole('button', { name: 'Start on paper' }).click();
  const grid = page.getByRole('region', { name: 'Strategies' });
  const row = grid.getByRole('row').filter({ hasText: 'sma-cross-1' });
  await expect(row).toContainText('running');
  await expect(page.getByRole('status').filter({ hasText: /sma-cross-1 is running on BTC\/USDT 5m, warmed on 8 bars/ })).toBeVisible();

  // Play: the strategy trades the replayed bars.
  await nav.getByRole('button', { name: 'Markets' }).click();
  await replay.getByLabel('Replay speed').selectOption('50');
  await replay.getByRole('button', { name: 'Play replay' }).click();
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Fills' }).click();
  const fills = page.getByRole('region', { name: 'Fills' });
  await expect(fills.getByRole('row').filter({ hasText: 'sma-cross-1' }).first()).toBeVisible({ timeout: 30_000 });
  await page.waitForTimeout(1500); // a few more of its trades, for the picture
  await app.shot('markets-strategy-fills');

  // Its orders and its ledger's PnL, on the Strategies screen.
  await nav.getByRole('button', { name: 'Strategies' }).click();
  await expect(row.getByRole('gridcell').filter({ hasText: /(buy|sell) .* market/ })).toBeVisible();
  await page.getByRole('tab', { name: 'Ledger' }).click();
  await expect(page.getByLabel('Ledger of sma-cross-1')).toContainText('Fees');
  await app.shot('strategies-running');

  // Paused, stepped until the strategy's last order has filled (a working order would fill on the
  // manual order's print too), then stopped: a manual order fills from the last stored bar meanwhile,
  // and the strategy's ledger does not move.
  await nav.getByRole('button', { name: 'Markets' }).click();
  const playing = replay.getByRole('button', { name: 'Pause replay' });
  if (await playing.isVisible()) await playing.click();
  const working = row.getByRole('gridcell').nth(6);
  for (let i = 0; i < 30; i++) {
    await nav.getByRole('button', { name: 'Strategies' }).click();
    await page.waitForTimeout(400);
    if ((await working.textContent())?.trim() === '0') break;
    await nav.getByRole('button', { name: 'Markets' }).click();
    if (!(await replay.getByRole('button', { name: 'Step replay' }).isVisible())) break; // the replay ended
    await replay.getByRole('button', { name: 'Step replay' }).click();
  }
  await expect(working).toHaveText('0');
  await nav.getByRole('button', { name: 'Markets' }).click();
  if (await replay.getByRole('button', { name: 'Stop replay' }).isVisible()) await replay.getByRole('button', { name: 'Stop replay' }).click();
  await nav.getByRole('button', { name: 'Strategies' }).click();
  await page.getByRole('tab', { name: 'Ledger' }).click();
  const book = page.getByLabel('Ledger of sma-cross-1');
  const read = async (term: string) => (await book.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]').textContent())?.trim();
  const before = { cash: await read('Cash'), fees: await read('Fees') };
  const positionBefore = await row.getByRole('gridcell').nth(5).textContent();

  await nav.getByRole('button', { name: 'Markets' }).click();
  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByRole('group', { name: 'Side' }).getByRole('button', { name: 'Buy' }).click();
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill('0.01');
  await expect(ticket.getByRole('region', { name: 'Pre-trade check' }).getByRole('status')).toHaveText('Risk check passed');
  await ticket.getByRole('button', { name: 'Place buy order' }).click();
  await page.getByRole('tablist', { name: 'Blotters' }).getByRole('tab', { name: 'Positions' }).click();
  await expect(page.getByRole('region', { name: 'Positions' }).getByRole('row').filter({ hasText: 'manual' })).toContainText('0.01');

  await nav.getByRole('button', { name: 'Strategies' }).click();
  await page.getByRole('tab', { name: 'Ledger' }).click();
  expect({ cash: await read('Cash'), fees: await read('Fees') }).toEqual(before);
  expect(await row.getByRole('gridcell').nth(5).textContent()).toBe(positionBefore);

  // Pause, then stop.
  await page.getByRole('button', { name: 'Pause sma-cross-1' }).click();
  await expect(row).toContainText('paused');
  await page.getByRole('button', { name: 'Stop sma-cross-1', exact: true }).click();
  await expect(row).toContainText('stopped');

  // The gap report: its forward trades against a backtest over the same bars.
  await page.getByRole('tab', { name: 'Gap report' }).click();
  await page.getByRole('button', { name: 'Compare with its backtest' }).click();
  const report = page.getByLabel('Gap report');
  await expect(report.getByLabel('Gap in PnL')).toBeVisible();
  await expect(report.getByRole('table', { name: 'What explains the gap' })).toContainText('Entry prices');
  await expect(report.getByRole('region', { name: 'Trades against the backtest' }).getByRole('row').filter({ hasText: /matched|missed|extra/ }).first()).toBeVisible();
  await app.shot('strategies-gap');
});

test('the dashboard shows equity, day PnL, open risk and drawdown, each ledger\'s curve and the open positions', async ({ app }) => {
  const { page } = app;
  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill('0.05');
  await expect(ticket.getByRole('region', { name: 'Pre-trade check' }).getByRole('status')).toHaveText('Risk check passed');
  await ticket.getByRole('button', { name: 'Place buy order' }).click();
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Dashboard' }).click();
  for (const kpi of ['Equity', 'Day PnL', 'Open risk', 'Drawdown']) await expect(page.getByRole('group', { name: kpi })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Active positions' }).getByRole('row').filter({ hasText: 'BTC/USDT' })).toContainText('manual');
  await expect(page.getByRole('region', { name: 'Ledgers' }).getByRole('row').filter({ hasText: 'Manual' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Equity curves' })).toContainText('Account');
  await app.shot('dashboard');
});
