import { expect, Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

// What the browser tests share: full-page screenshots kept as artifacts, and signing in.

export const DEMO = { email: 'demo@example.com', password: 'demo-password-1' };

export async function shot(page: Page, project: string, name: string) {
  mkdirSync('screenshots', { recursive: true });
  await page.screenshot({ path: `screenshots/${project}-${name}.png`, fullPage: true });
}

export async function signIn(page: Page, account = DEMO) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: /^Hello/ })).toBeVisible();
}
