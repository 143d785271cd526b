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
