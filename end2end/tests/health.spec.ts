import { test, expect } from '@playwright/test';
import { shot, signIn } from './helpers';

// Health dashboards over a demo user (60 days of demo data, minute heart rate included, written
// by `vitasync demo` through the normal ingest path), at 390×844 and 1280×800.

test('overview tiles, metric ranges, sleep, heart and workouts with real data', async ({ page }, info) => {
  const project = info.project.name;
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await signIn(page);

  // Overview: tiles with figures and 7-day sparklines.
  await expect(page.locator('a.tile').nth(5)).toBeVisible();
  const steps = page.locator('a.tile[data-metric="steps"]');
  await expect(steps).toContainText('Steps');
  await expect(steps.locator('svg.chart-svg')).toBeVisible();
  await expect(page.locator('a.tile[data-metric="sleep"]')).toContainText('Score');
  await expect(page.locator('a.tile[data-metric="resting_heart_rate"]')).toContainText('bpm');
  await shot(page, project, 'health-1-overview');

  // A metric's detail page switches ranges (links work with or without JavaScript).
  await steps.click();
  await expect(page.getByRole('heading', { name: 'Steps', level: 1 })).toBeVisible();
  await expect(page.locator('.chart svg:visible')).toBeVisible();
  await page.getByRole('link', { name: '90 days' }).click();
  await expect(page).toHaveURL(/range=90/);
  await expect(page.getByRole('link', { name: '90 days' })).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('.chart svg:visible title')).toContainText('Steps');
  await page.getByRole('link', { name: '7 days' }).click();
  await expect(page).toHaveURL(/range=7/);
  await page.getByRole('link', { name: 'Show table' }).click();
  await expect(page.getByRole('table').locator('tbody tr')).toHaveCount(7);
  await shot(page, project, 'health-2-steps');

  // Sleep: stage chart and the nights, dated by the wake-up day.
  await page.goto('/sleep?range=30');
  await expect(page.getByRole('heading', { name: 'Sleep', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Stages per night' })).toBeVisible();
  await expect(page.locator('.chart svg:visible').first()).toBeVisible();
  // 14 nights a page; the older ones a tap away.
  await expect(page.locator('table tbody tr')).toHaveCount(14);
  await shot(page, project, 'health-3-sleep');
  const newest = await page.locator('table tbody tr').first().innerText();
  await page.getByRole('link', { name: 'Older nights →' }).click();
  await expect(page).toHaveURL(/before=\d{4}-\d{2}-\d{2}/);
  expect(await page.locator('table tbody tr').count()).toBeGreaterThanOrEqual(10);
  expect(await page.locator('table tbody tr').first().innerText()).not.toBe(newest);
  await page.getByRole('link', { name: '← Newest nights' }).click();
  await expect.poll(() => page.locator('table tbody tr').first().innerText()).toBe(newest);

  // Heart: trends, and today's minute-by-minute heart rate with zones.
  await page.goto('/heart');
  await expect(page.getByRole('heading', { name: 'Resting heart rate' })).toBeVisible();
  await page.getByRole('link', { name: '‹ Previous day' }).click();
  await expect(page.getByText('Fat burn')).toBeVisible();
  await shot(page, project, 'health-4-heart');

  // Workouts: list, filter, detail with laps.
  await page.goto('/workouts');
  await expect(page.getByRole('heading', { name: 'Training volume' })).toBeVisible();
  await page.getByLabel('Activity').selectOption('running');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/activity=running/);
  const first = page.locator('a.workout-row').first();
  await expect(first).toContainText('Running');
  await shot(page, project, 'health-5-workouts');
  await first.click();
  await expect(page.getByRole('heading', { name: 'Laps' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Pace' })).toBeVisible();
  await shot(page, project, 'health-6-workout');

  await page.goto('/body');
  await expect(page.getByRole('link', { name: 'Weight' })).toBeVisible();
  await page.goto('/records');
  await expect(page.getByText('Most steps in a day')).toBeVisible();
  await shot(page, project, 'health-7-records');

  expect(pageErrors).toEqual([]);
});

test('a measurement logged by hand shows up on the Body page', async ({ page }, info) => {
  await signIn(page);
  await page.goto('/measurements');
  await page.locator('#field-value').fill('abc');
  await page.getByRole('button', { name: 'Save measurement' }).click();
  await expect(page.getByText('Enter a value as a number.')).toBeVisible();
  await page.getByLabel('What').selectOption('blood_glucose');
  await page.locator('#field-value').fill(info.project.name === 'health-phone' ? '5.4' : '5.6');
  await page.getByRole('button', { name: 'Save measurement' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await expect(page.locator('.entry-list')).toContainText('Blood glucose');
  await shot(page, info.project.name, 'health-8-measurements');
  await page.goto('/body');
  await expect(page.locator('section[aria-label="Blood glucose"]')).toContainText('mmol/L');
});
