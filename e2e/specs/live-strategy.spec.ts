import { expect, test } from '../support/fixtures';
import { addLiveAccount, downloadMarket } from '../support/live-account';
import { startSimulator, type RunningSimulator } from '../support/simulator';

/**
 * A strategy started live on an exchange account (issue 12 §5), against `keel simulate-exchange`
 * with a known key: where it runs is picked on the start form, which turns red and asks for
 * that start's own typed confirmation, and its row says LIVE and the account. Needs a Secret
 * Service for the account's key: `npm test` provides one; without it the spec skips.
 */
const KEY = 'e2e-strategy-key-0123456789abcdef';
const SECRET = 'e2e-strategy-secret-0123456789abcdef';
let sim: RunningSimulator;

test.beforeAll(async () => {
  sim = await startSimulator(['--history', '3000', '--seed', '9', '--trades-per-second', '5', '--key', `${KEY}:${SECRET}`]);
});

test.afterAll(async () => {
  await sim?.stop();
});

test('start a strategy live on an account with its own confirmation, and see LIVE on its row', async ({ app }) => {
  test.skip(!process.env.DBUS_SESSION_BUS_ADDRESS, 'no Secret Service: run under dbus-run-session with gnome-keyring unlocked (npm test does)');
  test.setTimeout(180_000);
  const page = app.page;
  const nav = page.getByRole('navigation', { name: 'Screens' });
  await downloadMarket(page, sim.url, 'BTC/USDT', '1m');
  await addLiveAccount(page, { name: 'sim', apiUrl: sim.url, key: KEY, secret: SECRET });

  await nav.getByRole('button', { name: 'Strategies' }).click();
  const form = page.getByRole('form', { name: 'Start a strategy' });
  const runsOn = form.getByRole('status', { name: 'Where it runs' });
  // Paper until the trader picks the account.
  await expect(runsOn).toHaveText('PAPER · paper desk');
  await expect(form.getByLabel('Live confirmation')).toHaveCount(0);
  // sma-cross is the form's first strategy.
  await expect(form.getByRole('spinbutton', { name: 'fast' })).toBeVisible();
  await form.getByLabel('Market').selectOption('binance:BTC/USDT|1m');
  await form.getByLabel('Allocation').fill('1000');
  await form.getByLabel('Runs on', { exact: true }).selectOption('sim');
  await expect(runsOn).toHaveText('LIVE · sim · binance');
  await expect(runsOn).toHaveClass(/mode-LIVE/);
  const go = form.getByRole('button', { name: 'Start LIVE on sim' });
  // Its own confirmation: the account being live is not enough.
  await expect(go).toBeDisabled();
  await form.getByLabel('Live confirmation').fill('LIVE');
  await expect(go).toBeDisabled();
  await form.getByLabel('Live confirmation').fill('LIVE sim');
  await expect(go).toBeEnabled();
  await app.shot('live-strategy-form');
  await go.click();

  const grid = page.getByRole('region', { name: 'Strategies' });
  const row = grid.getByRole('row').filter({ hasText: 'sma-cross-1' });
  await expect(row).toContainText('running', { timeout: 60_000 });
  await expect(row.getByRole('status', { name: 'sma-cross-1 runs on' })).toHaveText('LIVE · sim');
  await expect(page.getByRole('status', { name: 'Selected strategy runs on' })).toHaveText('LIVE · sim');
  await expect(page.getByRole('status').filter({ hasText: /sma-cross-1 is running LIVE on sim on binance:BTC\/USDT 1m/ })).toBeVisible();
  // The confirmation was for that start only: the form asks again.
  await expect(form.getByLabel('Live confirmation')).toHaveValue('');

  // A paper strategy beside it says PAPER.
  await form.getByLabel('Runs on', { exact: true }).selectOption('');
  await expect(runsOn).toHaveText('PAPER · paper desk');
  await form.getByLabel('Market').selectOption('binance:BTC/USDT|1m');
  await form.getByRole('button', { name: 'Start on paper' }).click();
  const paper = grid.getByRole('row').filter({ hasText: 'sma-cross-2' });
  await expect(paper.getByRole('status', { name: 'sma-cross-2 runs on' })).toHaveText('PAPER');
  await row.click();
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(page.getByLabel('Log of sma-cross-1')).toContainText('started on binance:BTC/USDT 1m');
  await app.shot('live-strategy-row');
});
