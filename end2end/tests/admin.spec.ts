import { expect, test } from '@playwright/test';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
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
  // The copy button is an island: it works once the page's bundle has woken it.
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
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

test('an admin adds a webhook, sends a test event and sees it delivered', async ({ page }, info) => {
  // A local receiver that records what it gets.
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    await signIn(page, OWNER);
    await page.goto('/admin/webhooks');
    await expect(page.getByText('No endpoints yet')).toBeVisible();
    await page.getByLabel('Endpoint URL').fill(`http://127.0.0.1:${port}/hooks`);
    await page.getByLabel('Description (optional)').fill('Local receiver');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secretField = page.getByLabel('Signing secret');
    await expect(secretField).toBeVisible();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^whsec_/);

    const row = page.locator('li.key-row', { hasText: `127.0.0.1:${port}` });
    await row.getByRole('button', { name: 'Send test event' }).click();
    await expect(page.getByText('Test event queued')).toBeVisible();
    await row.getByRole('link', { name: 'Deliveries' }).click();
    await expect(page.getByRole('heading', { name: 'Deliveries', level: 1 })).toBeVisible();
    const delivery = page.locator('li.delivery').first();
    await expect(async () => {
      await page.getByRole('link', { name: 'Refresh' }).click();
      await expect(delivery.locator('.badge')).toHaveText('Delivered', { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(delivery).toContainText('webhook.test');
    await expect(delivery).toContainText('HTTP 204');
    await delivery.getByText('Payload and answer').click();
    await expect(delivery.locator('pre.code')).toContainText('Hello from VitaSync');
    await shot(page, info.project.name, 'webhook-deliveries');

    // The receiver got one signed request; check it the way a receiver would.
    expect(received).toHaveLength(1);
    const { headers, body } = received[0];
    const id = headers['webhook-id'] as string;
    const ts = headers['webhook-timestamp'] as string;
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = crypto.createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(JSON.parse(body).type).toBe('webhook.test');
  } finally {
    server.close();
  }
});

test('the admin follows the member\'s syncs in the job monitor and reads the API reference', async ({ page }, info) => {
  await signIn(page, OWNER);
  await page.goto('/admin');
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Sync jobs' }).click();
  await expect(page).toHaveURL(/\/admin\/jobs$/);
  // The connections test connected the demo provider as the member; its first sync is here.
  const jobs = page.locator('li.job');
  await expect(jobs.first()).toContainText('VitaSync Demo');
  await page.getByLabel('Status').selectOption('completed');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/status=completed/);
  await expect(jobs.first().locator('.badge')).toHaveText('Completed');
  await expect(jobs.first()).toContainText(/Backfill · queued .* item\(s\)/);
  await page.getByLabel('Status').selectOption('failed');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByText('No sync jobs match')).toBeVisible();
  await page.getByRole('link', { name: 'Clear' }).click();
  await expect(jobs.first()).toBeVisible();
  await shot(page, info.project.name, 'sync-jobs');

  // The API reference is served by VitaSync itself and rendered from /v1/openapi.json.
  await page.goto('/admin/api-keys');
  await page.getByRole('link', { name: 'API reference' }).click();
  await expect(page).toHaveURL(/\/docs\/api$/);
  await expect(page.getByRole('heading', { name: /VitaSync API/ }).first()).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('List the workspace\'s users, oldest first.').first()).toBeAttached();
  await shot(page, info.project.name, 'api-reference');
});

test('an admin adds a person, invites them to sign in, finds them and deletes them', async ({ page, browser }, info) => {
  await signIn(page, OWNER);
  await page.goto('/admin');
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  // The member from the phone journey is listed.
  await expect(page.locator('.people-list li').first()).toBeVisible();

  // Bad input is explained next to the field, and nothing is created.
  await page.getByLabel('Time zone').fill('Mars/Olympus');
  await page.getByRole('button', { name: 'Add person' }).click();
  await expect(page.getByText('Use an IANA time zone name such as Europe/Paris.')).toBeVisible();

  await page.getByLabel('External id').fill('crm-77');
  await page.getByLabel('Email').fill('bo@example.com');
  await page.getByLabel('Display name').fill('Bo Tester');
  await page.getByLabel('Time zone').fill('Europe/Oslo');
  await page.getByLabel('Metadata (JSON object)').fill('{"plan": "family"}');
  await page.getByRole('button', { name: 'Add person' }).click();
  await expect(page).toHaveURL(/\/admin\/users\/[0-9A-Z]{26}$/);
  await expect(page.getByRole('heading', { name: /Bo Tester/ })).toBeVisible();
  await expect(page.getByText('Europe/Oslo')).toBeVisible();
  await expect(page.getByText('No devices or apps connected.')).toBeVisible();
  await shot(page, info.project.name, 'person-page');

  // The person exists only for the API; an invitation lets that same person sign in.
  await page.getByRole('button', { name: 'Create invitation link' }).click();
  const linkField = page.locator('#person-invite-link');
  await expect(linkField).toBeVisible();
  const link = await linkField.inputValue();
  expect(link).toContain('/join/');
  await shot(page, info.project.name, 'person-invited');
  const boContext = await browser.newContext({ ...info.project.use });
  const bo = await boContext.newPage();
  await bo.goto(link);
  await bo.getByLabel('Choose a password').fill('bo-password-1');
  await bo.getByRole('button', { name: 'Create account' }).click();
  await expect(bo.getByRole('heading', { name: 'Hello, Bo' })).toBeVisible();
  await expect(bo.getByText('Europe/Oslo')).toBeVisible();
  await boContext.close();
  await page.reload();
  await expect(page.getByRole('heading', { name: /Bo Tester/ })).toContainText('Active');
  await expect(page.getByRole('button', { name: 'Change role' })).toBeVisible();

  await page.getByRole('link', { name: '← All people' }).click();
  await page.getByLabel('Search people').fill('CRM-7');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=CRM-7/);
  const rows = page.locator('.people-list li');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('external id crm-77');
  await shot(page, info.project.name, 'people-search');

  await rows.first().getByRole('link', { name: 'Bo Tester' }).click();
  await page.getByRole('button', { name: 'Delete person' }).click();
  await expect(page.getByText('Tick the box to confirm')).toBeVisible();
  await page.getByLabel(/I understand this deletes the person/).check();
  await page.getByRole('button', { name: 'Delete person' }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await page.getByLabel('Search people').fill('crm-77');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('Nobody matches')).toBeVisible();
});
