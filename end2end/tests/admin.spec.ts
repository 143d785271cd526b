import { expect, test } from '@playwright/test';
import { shot, signIn } from './helpers';

// Runs after the phone journey, on its server, as the owner it set up.
const OWNER = { email: 'owner@example.com', password: 'owner-password-1' };

test('an admin creates an API key, copies it, uses it, revokes it', async ({ page, request }, info) => {
  await signIn(page, OWNER);
  await page.goto('/admin');
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'API keys' }).click();
  await expect(page).toHaveURL(/\/admin\/api-keys$/);
  await expect(page.getByText('No API keys yet')).toBeVisible();

  await page.getByLabel('Name').fill('Partner app');
  await page.getByLabel(/Read and write/).check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const field = page.getByLabel('New API key');
  await expect(field).toBeVisible();
  const key = await field.inputValue();
  expect(key).toMatch(/^vs_live_[A-Za-z0-9]{40}$/);
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await shot(page, info.project.name, 'api-key-created');

  // The key works against the API.
  const auth = { Authorization: `Bearer ${key}` };
  const users = await request.get('/v1/users', { headers: auth });
  expect(users.status()).toBe(200);
  const body = await users.json();
  expect(body.data.map((u: { email: string }) => u.email)).toContain(OWNER.email);
  expect(body.pagination.hasMore).toBe(false);

  // Shown once: after a reload only its prefix remains.
  await page.reload();
  await expect(page.getByLabel('New API key')).toHaveCount(0);
  const row = page.locator('li.key-row', { hasText: 'Partner app' });
  await expect(row).toContainText(key.slice(0, 16) + '…');
  await expect(row).toContainText('Active');
  await expect(row).not.toContainText('last used Never');

  await row.getByText('Revoke', { exact: true }).click();
  await row.getByRole('button', { name: 'Revoke “Partner app”' }).click();
  await expect(row.locator('.badge')).toHaveText('Revoked');
  await shot(page, info.project.name, 'api-key-revoked');

  const refused = await request.get('/v1/users', { headers: auth });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe('unauthorized');
});
