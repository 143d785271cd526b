import { test, expect } from '@playwright/test';
import { shot } from './helpers';

// The foundation journey, run at 1280×800 (desktop) and 390×844 (phone), each against a fresh
// install: first-run setup → admin invites a member → the member joins through the link and sees
// their empty dashboard → the member gets the 403 page on /admin → signs out.

const OWNER = { name: 'Olive Owner', email: 'owner@example.com', password: 'owner-password-1' };
const MEMBER = { email: 'mia@example.com', password: 'member-password-1' };

test('first run, invitation, member dashboard, 403 and sign-out', async ({ page, browser }, info) => {
  const project = info.project.name;
  // Hydration problems surface as page errors: none are allowed.
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  // A fresh install sends every visitor to first-run setup.
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Welcome to VitaSync' })).toBeVisible();
  await shot(page, project, '1-setup');

  // Submitting empty shows inline messages and creates nothing.
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByText('Give the workspace a name.')).toBeVisible();

  await page.getByLabel('Workspace name').fill('Acme Health');
  await page.getByLabel('Your name').fill(OWNER.name);
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await page.getByRole('button', { name: 'Create workspace' }).click();

  // The admin lands on their dashboard, with admin and instance navigation.
  await expect(page.getByRole('heading', { name: 'Hello, Olive' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  const phone = project === 'phone';
  if (phone) {
    // The phone's bottom bar keeps the everyday places; administration is reached from Settings.
    await expect(nav.getByRole('link', { name: 'Admin' })).toBeHidden();
  } else {
    await expect(nav.getByRole('link', { name: 'Admin' })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Instance' })).toBeVisible();
  }
  await shot(page, project, '2-admin-dashboard');

  // Invite a member.
  // On phones Settings sits under "More" (the bottom bar keeps the everyday places).
  const openSettings = async () => {
    if (phone) {
      await nav.getByRole('link', { name: 'More' }).click();
      await page.locator('.more-links').getByRole('link', { name: /^Settings/ }).click();
    } else {
      await nav.getByRole('link', { name: 'Settings' }).click();
    }
  };
  if (phone) {
    await openSettings();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Workspace admin' }).click();
  } else {
    await nav.getByRole('link', { name: 'Admin' }).click();
  }
  await expect(page.getByRole('heading', { name: 'Admin', level: 1 })).toBeVisible();
  await page.getByLabel('Email').fill(MEMBER.email);
  await page.getByRole('button', { name: 'Create invitation link' }).click();
  const linkField = page.locator('#invite-link');
  await expect(linkField).toBeVisible();
  const link = await linkField.inputValue();
  expect(link).toContain('/join/');
  await expect(page.getByText(MEMBER.email)).toBeVisible();
  await shot(page, project, '3-admin-invited');

  // Settings: rename, switch to the dark theme (remembered), see the signed-in browsers.
  await openSettings();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(page.getByText('This browser')).toBeVisible();
  await page.getByLabel('Display name').fill('Olive Q. Owner');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Profile saved.')).toBeVisible();
  const toggle = page.locator('.topbar [data-theme-toggle]');
  await toggle.click(); // system → light
  await toggle.click(); // light → dark
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shot(page, project, '3b-settings-dark');
  await toggle.click(); // dark → system

  // The member opens the link in their own browser (in Tokyo), picks a password, nothing else.
  const memberContext = await browser.newContext({ ...info.project.use, timezoneId: 'Asia/Tokyo' });
  const member = await memberContext.newPage();
  await member.goto(link);
  await expect(member.getByRole('heading', { name: 'Join VitaSync' })).toBeVisible();
  await expect(member.getByText('invited to Acme Health as member')).toBeVisible();
  await member.getByLabel('Choose a password').fill(MEMBER.password);
  await member.getByRole('button', { name: 'Create account' }).click();

  // Their empty dashboard, in their own time zone, without admin navigation.
  await expect(member.getByRole('heading', { name: 'Hello, mia' })).toBeVisible();
  await expect(member.getByText('Asia/Tokyo')).toBeVisible();
  await expect(member.getByText('No readings yet').first()).toBeVisible();
  const memberNav = member.getByRole('navigation', { name: 'Main' });
  await expect(memberNav.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await shot(member, project, '4-member-dashboard');

  // Typing /admin gets the product's 403 page.
  const response = await member.goto('/admin');
  expect(response?.status()).toBe(403);
  await expect(member.getByRole('heading', { name: "You don't have access to this page" })).toBeVisible();
  await shot(member, project, '5-member-403');

  // Sign out.
  await member.getByRole('button', { name: 'Sign out' }).click();
  await expect(member).toHaveURL(/\/login/);
  await expect(member.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  const again = await member.goto('/');
  await expect(member).toHaveURL(/\/login\?next=\//);
  expect(again?.ok()).toBeTruthy();
  await memberContext.close();
  expect(pageErrors).toEqual([]);
});
