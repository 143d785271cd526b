import { expect, test } from '@playwright/test';
import { shot, signIn } from './helpers';

// Runs after the phone journey, on its server: the member it invited has no health data yet.
const MEMBER = { email: 'mia@example.com', password: 'member-password-1' };

test('connect the demo provider, watch the first sync, see the data, disconnect', async ({ page }, info) => {
  await signIn(page, MEMBER);
  await expect(page.getByText('No readings yet')).toBeVisible();

  // Today's empty state leads to Connections.
  await page.getByRole('link', { name: 'Connect a device' }).click();
  await expect(page.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();
  const card = page.locator('section[data-provider="demo"]');
  await expect(card.locator('.status-pill')).toHaveText('Not connected');
  await shot(page, info.project.name, 'connections-empty');

  // Connect → the provider's consent page → back, with the first sync running.
  await card.getByRole('button', { name: 'Connect VitaSync Demo' }).click();
  await expect(page.getByRole('heading', { name: /Allow VitaSync to read your VitaSync Demo data/ })).toBeVisible();
  await expect(page.getByText(MEMBER.email)).toBeVisible();
  await shot(page, info.project.name, 'demo-consent');
  await page.getByRole('button', { name: 'Allow access' }).click();
  await expect(page).toHaveURL(/\/connections\?connected=demo/);
  await expect(page.getByText('VitaSync Demo is connected.')).toBeVisible();

  // The page follows the sync on its own (it refreshes itself) until it is done.
  await expect(card.locator('.status-pill')).toHaveText('Connected', { timeout: 60_000 });
  await expect(card.locator('.sync-progress')).toContainText(/Last sync brought [\d,]+ items/);
  await expect(card.getByRole('button', { name: 'Sync now' })).toBeEnabled();
  await shot(page, info.project.name, 'connections-synced');

  // The data is on Today.
  await page.goto('/');
  await expect(page.locator('a.tile[data-metric="steps"]')).toBeVisible();
  await expect(page.locator('a.tile[data-metric="steps"] .tile-source')).toHaveText('Demo data');
  await shot(page, info.project.name, 'today-after-sync');

  // Disconnect (keeping the data).
  await page.goto('/connections');
  await card.getByText('Disconnect VitaSync Demo…').click();
  await card.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect(card.locator('.status-pill')).toHaveText('Disconnected');
  await expect(card.getByRole('button', { name: 'Connect VitaSync Demo' })).toBeVisible();
  await page.goto('/');
  await expect(page.locator('a.tile[data-metric="steps"]')).toBeVisible();
});

test('import an Apple Health export and follow its progress', async ({ page }, info) => {
  await signIn(page, MEMBER);
  await page.goto('/connections');
  const card = page.locator('section[data-provider="apple_health"]');
  await expect(card.getByRole('heading', { name: 'Apple Health' })).toBeVisible();
  await card.getByLabel('Export file').setInputFiles('../tests/fixtures/apple_health/export.xml');
  await card.getByRole('button', { name: 'Import' }).click();
  await expect(page).toHaveURL(/\/connections#apple-health$/);
  // The card follows the import until it is done (the page refreshes itself).
  await expect(card.locator('.import-item').first()).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  // How many daily totals the 35 records make depends on the person's zone (which local day
  // each sample falls on); all 35 were read.
  await expect(card.locator('.import-item').first()).toContainText(/Imported \d+ readings from 35 records/);
  await card.scrollIntoViewIfNeeded();
  await shot(page, info.project.name, 'apple-health-imported');

  // The workouts it held are on the Workouts page.
  await page.goto('/workouts');
  await expect(page.getByRole('link', { name: /Traditional strength training/ })).toBeVisible();
});
