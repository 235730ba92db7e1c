import { expect, test } from '../support/fixtures';

test('run a backtest and read its metrics', async ({ app }) => {
  const { page } = app;
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Backtest' }).click();
  const setup = page.getByRole('form', { name: 'Backtest setup' });
  await expect(setup.getByLabel('Strategy')).not.toHaveValue('');
  await expect(setup.getByLabel('Dataset')).toHaveValue(/BTC\/USDT\|5m/);
  await setup.getByRole('button', { name: 'Run backtest' }).click();

  const metrics = page.getByRole('region', { name: 'Metrics' });
  await expect(metrics).toBeVisible({ timeout: 45_000 });
  await expect(page.getByRole('progressbar', { name: 'Backtest progress' })).toHaveAttribute('aria-valuenow', '100');
  const cards = metrics.getByRole('group');
  expect(await cards.count()).toBeGreaterThan(3);
  // the sample data and the default strategy trade: read the count and the return
  const trades = Number((await metrics.getByRole('group', { name: 'Trades', exact: true }).innerText()).split('\n')[1]!.replace(/,/g, ''));
  expect(trades).toBeGreaterThan(0);
  await expect(metrics.getByRole('group', { name: 'Total return' })).toContainText(/-?[\d.]+%/);
  await expect(page.getByRole('region', { name: 'Backtest trades' }).getByRole('row')).not.toHaveCount(1);
  await expect(page.getByRole('region', { name: 'Past runs' }).getByRole('row')).not.toHaveCount(1);
  const equity = page.getByRole('img', { name: /Equity and drawdown/ });
  await expect(equity).toBeVisible();
  // the whole run in view, from its first bar to its last
  await expect(equity).toHaveAttribute('data-shown', '2023-01-02 – 2023-02-09');
  // beside buy and hold of the same capital, and month by month
  await expect(metrics.getByRole('group', { name: 'Benchmark return' })).toContainText(/-?[\d.]+%/);
  await expect(metrics.getByRole('group', { name: 'Excess return' })).toContainText(/-?[\d.]+%/);
  const returns = page.getByRole('table', { name: 'Monthly and yearly returns' });
  await expect(returns.getByRole('rowheader', { name: '2023' })).toBeVisible();
  await expect(returns.getByRole('row', { name: /^2023/ }).getByRole('cell').first()).toHaveText(/^-?\d+\.\d\d%$/);
  await app.shot('backtest');

  // the run's own VaR and ES, from its equity curve
  await page.getByText('Value at risk and stress days').click();
  const runRisk = page.getByRole('region', { name: 'Run VaR and stress' });
  const table = runRisk.getByRole('table', { name: 'Value at risk' });
  await expect(table.getByRole('rowheader', { name: 'Cornish–Fisher' })).toBeVisible();
  await expect(table.getByRole('row').nth(1).getByRole('cell').first()).toHaveText(/^\d+\.\d+%$/);
  await app.shot('backtest-var');

  // its trades are drawn on the price chart
  await page.getByRole('button', { name: 'Show trades on chart' }).click();
  await expect(page.getByRole('img', { name: 'Price chart BTC/USDT 5m' })).toBeVisible();
  const legend = page.getByRole('group', { name: 'Price legend' });
  await expect(legend).toContainText(`${trades} trades of`);
  await app.shot('markets-backtest-trades');
  await legend.getByRole('button', { name: 'Hide trades' }).click();
  await expect(legend).toContainText('backtest trades hidden');

  // a trade clicked in the results is shown on the price chart: the view jumps to its entry
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Backtest' }).click();
  const first = page.getByRole('region', { name: 'Backtest trades' }).getByRole('row').nth(1);
  const entry = Date.parse(`${(await first.getByRole('gridcell').nth(1).textContent())!.replace(' ', 'T')}Z`);
  await first.getByRole('gridcell').nth(2).click();
  const chart = page.getByRole('img', { name: 'Price chart BTC/USDT 5m' });
  await expect(chart).toBeVisible();
  await expect(legend).toContainText(`${trades} trades of`);
  const box = (await chart.boundingBox())!;
  await expect(async () => {
    await page.mouse.move(box.x + (box.width - 70) / 2, box.y + box.height / 2);
    const shown = Date.parse(`${(await legend.getByLabel('Bar time').textContent())!.replace(' ', 'T')}Z`);
    expect(Math.abs(shown - entry)).toBeLessThanOrEqual(2 * 5 * 60_000);
  }).toPass();
  await app.shot('markets-backtest-trade-jump');
});
