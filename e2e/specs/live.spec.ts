import { createHmac } from 'node:crypto';
import { expect, test } from '../support/fixtures';
import { startSimulator, type RunningSimulator } from '../support/simulator';

/**
 * Live trading from the UI (issue 12), against `keel simulate-exchange` with a known key, so
 * every signed request Keel makes is checked against the secret that went through the UI to
 * the OS keychain. Needs a Secret Service: `npm test` provides a private gnome-keyring under
 * dbus-run-session; without one the spec skips (adding an account would rightly be refused).
 */
const KEY = 'e2e-live-key-0123456789abcdef';
const SECRET = 'e2e-live-secret-0123456789abcdef';
let sim: RunningSimulator;

test.beforeAll(async () => {
  sim = await startSimulator(['--history', '3000', '--seed', '5', '--trades-per-second', '5', '--key', `${KEY}:${SECRET}`]);
});

test.afterAll(async () => {
  await sim?.stop();
});

/** A signed request straight to the simulator, as another program holding the key would send it. */
async function signed(method: 'GET' | 'POST', path: string, params: Record<string, string>): Promise<unknown> {
  const q = new URLSearchParams({ ...params, timestamp: String(Date.now()), recvWindow: '10000' }).toString();
  const sig = createHmac('sha256', SECRET).update(q).digest('hex');
  const r = await fetch(`${sim.url}${path}?${q}&signature=${sig}`, { method, headers: { 'X-MBX-APIKEY': KEY } });
  const body = await r.json();
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body;
}
const openAtExchange = async () => (await signed('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' })) as { clientOrderId: string; orderId: number }[];
const lastPrice = async () => ((await (await fetch(`${sim.url}/_sim/state`)).json()) as { markets: { symbol: string; lastPrice: number }[] }).markets.find((m) => m.symbol === 'BTC/USDT')!.lastPrice;

test('add an account, go live with its confirmation, place and cancel, kill the engine (SIGKILL), restart it and adopt an external order', async ({ app }) => {
  test.skip(!process.env.DBUS_SESSION_BUS_ADDRESS, 'no Secret Service: run under dbus-run-session with gnome-keyring unlocked (npm test does)');
  test.setTimeout(240_000);
  let page = app.page;
  const nav = () => page.getByRole('navigation', { name: 'Screens' });

  // The simulator's market on the chart, so the ticket's symbol is one the account trades.
  await nav().getByRole('button', { name: 'Data' }).click();
  const dl = page.getByRole('region', { name: 'Download from an exchange' });
  await dl.getByLabel('Exchange', { exact: true }).selectOption('binance');
  await dl.getByText('Advanced: API URL').click();
  await dl.getByLabel('API URL').fill(sim.url);
  await dl.getByRole('button', { name: 'Save' }).click();
  await dl.getByLabel('Exchange symbol').fill('BTC/USDT');
  await dl.getByLabel('Download timeframe').selectOption('1m');
  await dl.getByLabel('From', { exact: true }).fill(new Date(Date.now() - 86_400_000).toISOString().slice(0, 16));
  await dl.getByRole('button', { name: 'Download', exact: true }).click();
  await expect(dl.getByLabel('Download status')).toContainText('done', { timeout: 60_000 });
  await dl.getByRole('button', { name: 'Open binance:BTC/USDT on the chart' }).click();

  // 1. Add the account through the System screen: the credentials in password fields.
  await nav().getByRole('button', { name: 'System' }).click();
  const accounts = page.getByRole('region', { name: 'Exchange accounts' });
  await accounts.getByRole('button', { name: 'Add account…' }).click();
  const add = page.getByRole('dialog', { name: 'Add an exchange account' });
  await add.getByLabel('Exchange', { exact: true }).selectOption('binance');
  await add.getByLabel('Account name', { exact: true }).fill('sim');
  await add.getByLabel('API URL', { exact: true }).fill(sim.url);
  await expect(add.getByLabel('API key', { exact: true })).toHaveAttribute('type', 'password');
  await expect(add.getByLabel('API secret', { exact: true })).toHaveAttribute('type', 'password');
  await add.getByLabel('API key', { exact: true }).fill(KEY);
  await add.getByLabel('API secret', { exact: true }).fill(SECRET);
  await app.shot('live-add-account');
  await add.getByRole('button', { name: 'Add account' }).click();
  await expect(add).toHaveCount(0, { timeout: 30_000 });
  const row = accounts.getByRole('row', { name: 'Account sim' });
  await expect(row).toContainText('binance');
  await expect(row).toContainText('PAPER');
  // Only the masked key is on the page, never the key or the secret.
  await expect(row).toContainText(`${KEY.slice(0, 4)}…${KEY.slice(-4)}`);
  expect(await page.content()).not.toContain(KEY);
  expect(await page.content()).not.toContain(SECRET);
  await expect(page.getByRole('status', { name: 'Trading mode: PAPER' })).toBeVisible();

  // 2. Live only with the typed confirmation.
  await row.getByRole('button', { name: 'Enable live…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Enable live trading on sim?' });
  const go = confirm.getByRole('button', { name: 'Enable live' });
  await confirm.getByLabel('Live confirmation').fill('LIVE');
  await expect(go).toBeDisabled();
  await confirm.getByLabel('Live confirmation').fill('LIVE sim');
  await app.shot('live-confirm');
  await go.click();
  await expect(confirm).toHaveCount(0);
  await expect(row).toContainText('LIVE');
  await expect(row.getByRole('button', { name: 'Back to paper' })).toBeVisible();

  // 3. LIVE in the header on every screen, the desk reconciled on the Risk screen.
  await expect(page.getByRole('status', { name: 'Trading mode: LIVE · sim' })).toBeVisible();
  await app.shot('live-system');
  await nav().getByRole('button', { name: 'Risk' }).click();
  const desk = page.getByRole('region', { name: 'Live account sim' });
  await expect(desk.getByRole('status', { name: 'Reconciliation sim' })).toHaveText('reconciled', { timeout: 30_000 });
  await expect(desk.getByLabel('Trading sim')).toHaveText('taking orders');
  // The simulator speaks Binance spot, which has no dead man's switch: the desk says so.
  await expect(desk.getByLabel('Cancel on disconnect sim')).toContainText('offers no cancel-on-disconnect');

  // The ticket: paper until the trader picks the live account, then says so.
  await nav().getByRole('button', { name: 'Markets' }).click();
  await expect(page.getByRole('status', { name: 'Trading mode: LIVE · sim' })).toBeVisible();
  const ticket = page.getByRole('form', { name: 'Order ticket' });
  const dest = ticket.getByRole('status', { name: 'Ticket sends to' });
  await expect(dest).toHaveText('PAPER · paper desk');
  await ticket.getByLabel('Send to').selectOption('sim');
  await expect(dest).toHaveText('LIVE · sim · binance');

  // 4. Place a limit below the market, see it at the exchange, cancel it from the Risk screen.
  const limit = Math.round((await lastPrice()) * 0.97);
  await ticket.getByLabel('Order type').selectOption('limit');
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill('0.01');
  await ticket.getByLabel('Limit price').fill(String(limit));
  const place = ticket.getByRole('button', { name: 'Place buy order' });
  await expect(place).toContainText('LIVE sim');
  await app.shot('live-ticket');
  await place.click();
  await expect(ticket.getByRole('alert')).toContainText('sent');
  await expect.poll(async () => (await openAtExchange()).length, { timeout: 15_000 }).toBe(1);
  const placed = (await openAtExchange())[0]!;

  await nav().getByRole('button', { name: 'Risk' }).click();
  const working = desk.getByRole('table', { name: 'Working orders sim' });
  await expect(working.getByRole('row', { name: `Live order ${placed.clientOrderId}` })).toBeVisible({ timeout: 15_000 });
  await app.shot('live-risk-working');
  await working.getByRole('button', { name: 'Cancel' }).click();
  await expect.poll(async () => (await openAtExchange()).length, { timeout: 15_000 }).toBe(0);
  await expect(working).toHaveCount(0, { timeout: 15_000 });

  // 5. The engine is killed (SIGKILL: a crash, nothing closed). Another program places an order
  // with the same key while Keel is down; on restart the desk reconciles, lists it as external
  // and touches nothing until the trader adopts it.
  const ext = 'e2e-outside-1';
  await app.restartEngine({
    kill: true,
    whileDown: () => signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: String(limit), newClientOrderId: ext }),
  });
  page = app.page;
  await expect(page.getByRole('status', { name: 'Trading mode: LIVE · sim' })).toBeVisible();
  await nav().getByRole('button', { name: 'Risk' }).click();
  const desk2 = page.getByRole('region', { name: 'Live account sim' });
  await expect(desk2.getByRole('status', { name: 'Reconciliation sim' })).toHaveText('reconciled', { timeout: 30_000 });
  const found = desk2.getByRole('row', { name: `Found order ${ext}` });
  await expect(found).toContainText('external');
  await app.shot('live-risk-external');
  expect((await openAtExchange()).map((o) => o.clientOrderId)).toEqual([ext]);
  await found.getByRole('button', { name: 'Adopt' }).click();
  await expect(found).toHaveCount(0);
  // Adopted: now one of the desk's working orders (as ext-<venue id>), still open at the exchange.
  await expect(desk2.getByRole('table', { name: 'Working orders sim' }).getByRole('row', { name: /Live order ext-/ })).toBeVisible({ timeout: 15_000 });
  expect((await openAtExchange()).map((o) => o.clientOrderId)).toEqual([ext]);
  await app.shot('live-risk-adopted');

  // Back to paper: the header says PAPER again.
  await nav().getByRole('button', { name: 'System' }).click();
  await page.getByRole('region', { name: 'Exchange accounts' }).getByRole('row', { name: 'Account sim' }).getByRole('button', { name: 'Back to paper' }).click();
  await expect(page.getByRole('status', { name: 'Trading mode: PAPER' })).toBeVisible();
});
