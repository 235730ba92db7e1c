import { expect, test, waitConnected } from '../support/fixtures';

/**
 * The limits form checks with the engine's own definition of the limits: a trader west of
 * UTC can set a negative day boundary, and a value the engine would refuse is refused in the
 * form, with the range it must lie in.
 */
test('the limits form takes a negative day boundary and refuses an out-of-range value, saying why', async ({ app }) => {
  const { page } = app;
  const openRisk = () => page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Risk' }).click();
  await openRisk();
  const form = page.getByRole('form', { name: 'Risk limits' });
  const save = form.getByRole('button', { name: 'Save limits' });

  await form.getByLabel('Day boundary offset').fill('-300');
  await expect(form.getByRole('alert')).toHaveCount(0);
  await save.click();
  await expect(page.getByText('Risk limits saved')).toBeVisible();

  // The engine holds it: a fresh page reads -300 back from risk.state.
  await page.reload();
  await waitConnected(page);
  await openRisk();
  await expect(form.getByLabel('Day boundary offset')).toHaveValue('-300');

  const loss = form.getByLabel('Max daily loss');
  await loss.fill('150');
  await expect(form.getByRole('alert')).toHaveText('Max daily loss must be a number above 0 and at most 100 % equity, got 150');
  await expect(loss).toHaveAttribute('aria-invalid', 'true');
  await expect(save).toBeDisabled();
  await app.shot('risk-limits'); // -300 taken and saved, 150 % refused

  await form.getByLabel('Day boundary offset').fill('-721');
  await expect(form.getByRole('alert')).toHaveCount(2);
  await expect(form.getByRole('alert').nth(1)).toHaveText('Day boundary offset must be a whole number from -720 to 840 min, got -721');

  await form.getByRole('button', { name: 'Discard changes' }).click();
  await expect(form.getByRole('alert')).toHaveCount(0);
  await expect(form.getByLabel('Day boundary offset')).toHaveValue('-300');
});
