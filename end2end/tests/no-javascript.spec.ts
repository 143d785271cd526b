import { test, expect } from '@playwright/test';

// With JavaScript off, the sign-in form still works as a plain form post: errors come back
// inline and success lands on the dashboard. Runs after the desktop journey created the owner.

test('sign-in works with JavaScript disabled', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "don't match an account" })).toBeVisible();

  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password').fill('owner-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Hello, Olive' })).toBeVisible();
  await page.screenshot({ path: 'screenshots/no-javascript-dashboard.png', fullPage: true });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('the everyday forms work with JavaScript disabled', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password').fill('owner-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Hello, Olive' })).toBeVisible();

  // Water: a one-tap button, then a bad custom amount gets its message inline.
  await page.goto('/water');
  await page.getByRole('button', { name: 'Add 250 ml of water' }).first().click();
  await expect(page.locator('.ring').first()).toHaveAttribute('aria-label', '250 ml of 2500 ml today');
  await page.getByText('Another amount or drink').click();
  await page.getByLabel('Amount (ml)').fill('a lot');
  await page.getByRole('button', { name: 'Add drink' }).click();
  await expect(page.getByText('Enter the amount as a number.')).toBeVisible();

  // Habits: a preset in one tap, then checked.
  await page.goto('/habits');
  await page.getByRole('button', { name: '📖 Read' }).click();
  const read = page.locator('.habit-row', { hasText: 'Read' }).first();
  await read.getByRole('button', { name: 'Mark Read done today' }).click();
  await expect(page.locator('.habit-row', { hasText: 'Read' }).first().locator('.habit-check')).toHaveAttribute('aria-pressed', 'true');

  // Mood from the Today screen's one-tap picker.
  await page.goto('/');
  await page.getByRole('button', { name: 'Log mood: great' }).click();
  await expect(page.locator('.mood-today')).toContainText('Feeling great');

  // Journal: written and opened.
  await page.goto('/journal/new');
  await page.getByLabel('Entry', { exact: true }).fill('Written without JavaScript.');
  await page.getByRole('button', { name: 'Save entry' }).click();
  await expect(page.locator('.prose')).toContainText('Written without JavaScript.');

  // Goals.
  await page.goto('/goals');
  await page.getByLabel('What').selectOption('water_ml');
  await page.getByLabel('Target').fill('2000');
  await page.getByRole('button', { name: 'Create goal' }).click();
  await expect(page.locator('.goal-item').first()).toContainText('250 ml');
  await page.screenshot({ path: 'screenshots/no-javascript-goals.png', fullPage: true });
});

test('units are chosen with JavaScript disabled and every page follows', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password').fill('owner-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Hello, Olive' })).toBeVisible();

  await page.goto('/settings');
  await page.getByLabel('Imperial (mi, lb, °F, fl oz)').check();
  await page.getByRole('button', { name: 'Save units' }).click();
  await expect(page.getByText('Units saved.')).toBeVisible();
  await expect(page.getByLabel('Imperial (mi, lb, °F, fl oz)')).toBeChecked();

  await page.goto('/water');
  await expect(page.getByText('Another amount or drink')).toBeVisible();
  await page.getByText('Another amount or drink').click();
  await expect(page.getByLabel('Amount (fl oz)')).toBeVisible();
  await page.goto('/measurements');
  await expect(page.getByRole('option', { name: 'Weight (lb)' })).toBeAttached();

  // Back to metric for the stories that follow.
  await page.goto('/settings');
  await page.getByLabel('Metric (km, kg, °C, ml)').check();
  await page.getByRole('button', { name: 'Save units' }).click();
  await expect(page.getByText('Units saved.')).toBeVisible();
});
