import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '../support/fixtures';

/** The sample the replay plays: [open time, high, low] per bar. */
const SAMPLE = readFileSync(join(import.meta.dirname, '..', '..', 'data', 'samples', 'btc-usdt-5m-2023-01.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',').map(Number) as [number, number, number, number, number, number]);

/**
 * A level one cent past the paused close on the side the next bars will reach, so the replay
 * crosses it whichever way the market goes from here (read from the sample the replay plays).
 */
function levelAhead(barTime: number, close: number): number {
  const i = SAMPLE.findIndex((r) => r[0] === barTime);
  const next = SAMPLE.slice(i + 1, i + 13);
  const up = Math.round((close + 0.01) * 100) / 100;
  return i >= 0 && next.some((r) => r[2] >= up) ? up : Math.round((close - 0.01) * 100) / 100;
}

const num = (s: string | null) => Number((s ?? '').replace(/[^0-9.\-]/g, ''));
const legendClose = (page: Page) => page.getByRole('group', { name: 'Price legend' }).locator('span', { hasText: /^C / }).locator('b');

test('a price alert fires during a replay: shown in the app, logged, switched off once fired; the ticket’s reference price follows the replay', async ({ app }) => {
  const { page } = app;
  const replay = page.getByRole('group', { name: 'Market replay' });
  await replay.getByLabel('Replay speed').selectOption('10');
  await replay.getByRole('button', { name: 'Replay', exact: true }).click();
  await expect(replay.getByRole('button', { name: 'Pause replay' })).toBeVisible();

  // The ticket, open while the replay plays: its reference price moves with the market.
  const ticket = page.getByRole('form', { name: 'Order ticket' });
  await ticket.getByRole('textbox', { name: 'Quantity' }).fill('0.01');
  const reference = ticket.getByLabel('Reference price');
  await expect(reference).toHaveText(/\d/);
  const before = await reference.textContent();
  await expect(reference).not.toHaveText(before!);
  // Letters are refused as typed, and the ticket says why.
  await ticket.getByRole('textbox', { name: 'Quantity' }).pressSequentially('x');
  await expect(ticket.getByRole('alert')).toContainText('quantity takes digits and one decimal point');
  await expect(ticket.getByRole('textbox', { name: 'Quantity' })).toHaveValue('0.01');

  await replay.getByRole('button', { name: 'Pause replay' }).click(); // to set the alert just above the price
  await expect(replay.getByRole('button', { name: 'Play replay' })).toBeVisible();
  const close = num(await legendClose(page).textContent());
  const when = /(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)/.exec((await page.getByRole('group', { name: 'Price legend' }).textContent()) ?? '');
  expect(when, 'the legend shows the bar time').not.toBeNull();
  const level = levelAhead(Date.parse(`${when![1]}T${when![2]}Z`), close);

  await page.getByRole('tablist', { name: 'Side panel' }).getByRole('tab', { name: 'Alerts' }).click();
  const form = page.getByRole('form', { name: 'New alert' });
  await form.getByLabel(/^Level/).fill(String(level));
  await form.getByLabel('Note').fill('watch the open');
  await form.getByRole('button', { name: 'Set alert' }).click();
  const rules = page.getByRole('list', { name: 'Alert rules' });
  const shown = level.toLocaleString('en-US', { maximumFractionDigits: 8 });
  await expect(rules.getByRole('checkbox', { name: `Alert on: BTC/USDT crosses ${shown}` })).toBeChecked();

  await replay.getByRole('button', { name: 'Play replay' }).click();
  const banner = page.getByRole('alert').filter({ hasText: `BTC/USDT crossed ${shown}` });
  await expect(banner).toBeVisible({ timeout: 30_000 });
  await expect(banner).toContainText('(watch the open)');
  await expect(page.getByRole('list', { name: 'Alert log' }).getByRole('listitem').first()).toContainText(`BTC/USDT crossed ${shown}`);
  // Once: it fired and is off now.
  await expect(rules.getByRole('checkbox', { name: `Alert on: BTC/USDT crosses ${shown}` })).not.toBeChecked();
  await expect(rules).toContainText('fired 1×');
  await app.shot('markets-alert-fired');
  if (await replay.getByRole('button', { name: 'Stop replay' }).isVisible()) await replay.getByRole('button', { name: 'Stop replay' }).click();

  // The log survives a restart of the engine.
  await app.restartEngine();
  await page.getByRole('tablist', { name: 'Side panel' }).getByRole('tab', { name: 'Alerts' }).click();
  await expect(page.getByRole('list', { name: 'Alert log' }).getByRole('listitem').first()).toContainText(`BTC/USDT crossed ${shown}`);
});
