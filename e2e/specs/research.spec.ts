import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/engine';
import { expect, test } from '../support/fixtures';

test('optimise, walk forward and Monte Carlo from the Backtest screen', async ({ app }) => {
  test.setTimeout(180_000);
  const { page } = app;
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Backtest' }).click();
  const tabs = page.getByRole('tablist', { name: 'Backtest tools' });

  // Optimise: sma-cross over a 4 × 5 grid of the shipped BTC/USDT 5m bars.
  await tabs.getByRole('tab', { name: 'Optimise' }).click();
  const setup = page.getByRole('form', { name: 'Optimisation setup' });
  await expect(setup.getByLabel('Dataset')).toHaveValue(/BTC\/USDT\|5m/);
  const ranges = setup.getByRole('table', { name: 'Parameter ranges' });
  for (const [name, lo, hi, step] of [
    ['fast', '4', '16', '4'],
    ['slow', '20', '100', '20'],
  ] as const) {
    await ranges.getByLabel(`${name} from`).fill(lo);
    await ranges.getByLabel(`${name} to`).fill(hi);
    await ranges.getByLabel(`${name} step`).fill(step);
  }
  await setup.getByRole('button', { name: 'Run optimisation' }).click();
  await expect(page.getByRole('progressbar', { name: 'Optimise progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 90_000 });
  const summary = page.getByRole('region', { name: 'Sweep summary' });
  await expect(summary.getByRole('group', { name: 'Trials' })).toContainText('20');
  await expect(summary.getByRole('group', { name: 'Deflated Sharpe' })).toContainText(/\d\.\d{3}/);
  await expect(summary.getByRole('group', { name: 'PBO' })).toContainText(/\d\.\d{3}/);
  const heatmap = page.getByRole('img', { name: 'Heatmap of the best Sharpe by fast and slow' });
  await expect(heatmap).toBeVisible();
  await expect(heatmap.locator('rect')).toHaveCount(4 * 5);
  await expect(page.getByRole('region', { name: 'Trials' }).getByRole('row')).toHaveCount(21, { timeout: 10_000 }); // header + 20
  await expect(page.getByRole('img', { name: 'Equity and drawdown of the best trial' })).toBeVisible();
  await app.shot('research-optimise');
  // Any two parameters: swap the axes.
  await page.getByLabel('Heatmap x').selectOption('slow');
  await page.getByLabel('Heatmap y').selectOption('fast');
  await expect(page.getByRole('img', { name: 'Heatmap of the best Sharpe by slow and fast' })).toBeVisible();

  // Cancel: a large grid stops when asked.
  await ranges.getByLabel('fast from').fill('2');
  await ranges.getByLabel('fast to').fill('60');
  await ranges.getByLabel('fast step').fill('1');
  await ranges.getByLabel('slow from').fill('61');
  await ranges.getByLabel('slow to').fill('200');
  await ranges.getByLabel('slow step').fill('1');
  await setup.getByRole('button', { name: 'Run optimisation' }).click();
  await setup.getByRole('button', { name: 'Cancel' }).click();
  await expect(setup.getByText('cancelled', { exact: true })).toBeVisible({ timeout: 30_000 });

  // Walk-forward: rolling windows of 2000 training and 1500 test bars, 20% reserve.
  await tabs.getByRole('tab', { name: 'Walk-forward' }).click();
  const wf = page.getByRole('form', { name: 'Walk-forward setup' });
  const wfRanges = wf.getByRole('table', { name: 'Parameter ranges' });
  for (const [name, lo, hi, step] of [
    ['fast', '4', '12', '8'],
    ['slow', '20', '60', '40'],
  ] as const) {
    await wfRanges.getByLabel(`${name} from`).fill(lo);
    await wfRanges.getByLabel(`${name} to`).fill(hi);
    await wfRanges.getByLabel(`${name} step`).fill(step);
  }
  await wf.getByLabel('Train').fill('2000');
  await wf.getByLabel('Test (and step)').fill('1500');
  await wf.getByRole('button', { name: 'Run walk-forward' }).click();
  await expect(page.getByRole('progressbar', { name: 'Walk-forward progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 90_000 });
  const wfSummary = page.getByRole('region', { name: 'Walk-forward summary' });
  await expect(wfSummary.getByRole('group', { name: 'Windows' })).toContainText('4');
  await expect(wfSummary.getByRole('group', { name: 'Reserve' })).toContainText('2,199 bars kept back');
  await expect(page.getByRole('img', { name: 'Stitched out-of-sample equity and drawdown' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Walk-forward windows' }).getByRole('row')).toHaveCount(5);
  await app.shot('research-walkforward');

  // Monte Carlo of the walk-forward's out-of-sample trades.
  await tabs.getByRole('tab', { name: 'Monte Carlo' }).click();
  const mc = page.getByRole('form', { name: 'Monte Carlo setup' });
  await expect(mc.getByLabel('Run')).toHaveValue(/\/oos$/);
  await mc.getByLabel('Paths').fill('2000');
  await mc.getByRole('button', { name: 'Run Monte Carlo' }).click();
  await expect(page.getByRole('progressbar', { name: 'Monte Carlo progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  await expect(page.getByRole('img', { name: 'Monte Carlo fan chart, shuffle' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Monte Carlo fan chart, bootstrap' })).toBeVisible();
  const intervals = page.getByRole('table', { name: 'Monte Carlo intervals' });
  await expect(intervals.getByRole('rowheader', { name: 'bootstrap' })).toBeVisible();
  await app.shot('research-montecarlo');
});

test('a recorded run exports as one HTML report that opens with every request blocked', async ({ app }) => {
  test.setTimeout(120_000);
  const { page } = app;
  // A sweep from the UI is a recorded run like any other.
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Backtest' }).click();
  await page.getByRole('tablist', { name: 'Backtest tools' }).getByRole('tab', { name: 'Optimise' }).click();
  const setup = page.getByRole('form', { name: 'Optimisation setup' });
  await expect(setup.getByLabel('Dataset')).toHaveValue(/BTC\/USDT\|5m/);
  await setup.getByRole('button', { name: 'Run optimisation' }).click();
  await expect(page.getByRole('progressbar', { name: 'Optimise progress' })).toHaveAttribute('aria-valuenow', '100', { timeout: 90_000 });
  const run = readdirSync(join(app.home, 'runs')).find((d) => d.startsWith('optimize-'))!;
  const file = join(app.home, 'report.html');
  execFileSync(process.execPath, [join(repoRoot, 'bin/keel.js'), 'report', run, '--out', file], { env: { ...process.env, KEEL_HOME: app.home } });

  const report = await page.context().newPage();
  const requested: string[] = [];
  await report.route('**/*', (r) => (r.request().url().startsWith('file:') ? r.continue() : (requested.push(r.request().url()), r.abort())));
  await report.goto(`file://${file}`);
  await expect(report.getByRole('heading', { level: 1 })).toHaveText('Keel optimize: sma-cross on BTC/USDT 5m');
  const heatmap = report.getByRole('img', { name: /^Best sharpe by fast and slow/ });
  await expect(heatmap).toBeVisible();
  expect((await heatmap.boundingBox())!.height).toBeGreaterThan(100);
  await expect(report.getByRole('img', { name: 'Best trial: equity' })).toBeVisible();
  await expect(report.getByRole('table', { name: 'Inputs' })).toContainText('data.csv');
  expect(requested).toEqual([]);
  await report.screenshot({ path: join(repoRoot, 'e2e/screenshots', `${app.target}-research-report.png`) });
  await report.close();
});
