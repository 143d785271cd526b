import { test, expect } from '@playwright/test';
import { shot, signIn } from './helpers';

// The everyday screens at 390×844, on the demo server (its steps feed the goal): journal,
// water, habits, mood, goals, the Today section and the dark theme. One screenshot per screen.

test('journal, water, habits, mood and goals on a phone', async ({ page }, info) => {
  const project = info.project.name;
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await signIn(page);

  // Journal: write an entry with tags, then find it by searching.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Journal' }).click();
  await expect(page.getByRole('heading', { name: 'Journal', level: 1 })).toBeVisible();
  await expect(page.getByText('Your journal is empty')).toBeVisible();
  await page.getByRole('link', { name: '✎ Write' }).click();
  await expect(page.getByRole('heading', { name: 'New entry' })).toBeVisible();
  await page.getByLabel('Title (optional)').fill('Morning by the lake');
  await page.getByLabel('Entry', { exact: true }).fill('A **calm** walk with the dog.\n\n- coffee\n- sunrise');
  await page.locator('label.mood-choice.mood-4').click();
  await page.getByLabel('Feeling').selectOption('calm');
  await page.getByLabel('Grateful for (one per line)').fill('quiet water\ngood shoes');
  await page.getByLabel('Tags').fill('outdoors, dog');
  await page.getByRole('button', { name: 'Save entry' }).click();
  await expect(page.getByRole('heading', { name: 'Morning by the lake', level: 1 })).toBeVisible();
  await expect(page.locator('.prose strong')).toHaveText('calm');
  await expect(page.getByRole('link', { name: '#outdoors' })).toBeVisible();
  await page.getByRole('link', { name: '‹ Journal' }).click();
  await page.getByLabel('Search the journal').fill('dog walk');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=dog\+walk/);
  await expect(page.getByText('1 matching')).toBeVisible();
  await expect(page.locator('.journal-card')).toHaveCount(1);
  await expect(page.locator('.journal-card')).toContainText('Morning by the lake');
  await page.getByRole('link', { name: '#dog' }).first().click();
  await expect(page.locator('.journal-card')).toHaveCount(1);
  await shot(page, project, 'wellness-1-journal');

  // Water: a quick-add button, a custom drink, and the second preset size; the ring and the
  // chart follow.
  await page.goto('/water');
  await expect(page.getByRole('heading', { name: 'Water', level: 1 })).toBeVisible();
  const ring = page.locator('.ring').first();
  await expect(ring).toHaveAttribute('aria-label', '0 ml of 2500 ml today');
  await page.getByRole('button', { name: 'Add 250 ml of water' }).first().click();
  await expect(ring).toHaveAttribute('aria-label', '250 ml of 2500 ml today');
  await page.getByText('Another amount or drink').click();
  await page.getByLabel('Amount (ml)').fill('330');
  await page.getByLabel('Drink', { exact: true }).selectOption('tea');
  await page.getByRole('button', { name: 'Add drink' }).click();
  await expect(ring).toHaveAttribute('aria-label', '580 ml of 2500 ml today');
  await page.getByRole('button', { name: 'Add 500 ml of water' }).first().click();
  await expect(ring).toHaveAttribute('aria-label', '1080 ml of 2500 ml today');
  await expect(page.locator('.drink-list li')).toHaveCount(3);
  await expect(page.locator('.chart svg:visible')).toBeVisible();
  await expect(page.locator('.chart svg:visible desc')).toContainText('goal of 2500 ml');
  await page.getByRole('button', { name: '↶ Undo last' }).click();
  await expect(ring).toHaveAttribute('aria-label', '580 ml of 2500 ml today');
  await page.getByRole('link', { name: '30 days' }).click();
  await expect(page).toHaveURL(/range=30/);
  await expect(page.locator('.chart svg:visible title')).toContainText('last 30 days');
  await shot(page, project, 'wellness-2-water');

  // Habits: create a weekdays habit, check it, see the streak.
  await page.goto('/habits');
  await expect(page.getByText('No habits yet')).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill('Stretch');
  await page.getByLabel('Icon').fill('🤸');
  await page.getByLabel('Weekdays').check();
  await page.getByRole('button', { name: 'Create habit' }).click();
  const row = page.locator('.habit-row', { hasText: 'Stretch' });
  await expect(row).toBeVisible();
  await row.locator('.habit-name').click();
  await expect(page.getByRole('heading', { name: /Stretch/, level: 1 })).toBeVisible();
  await expect(page.locator('.page-header')).toContainText('Weekdays');
  // Check the last weekday up to today (the user's zone is Europe/Paris) from the calendar:
  // a streak of 1, whatever day of the week the test runs.
  const parisDay = (d: Date) => d.toLocaleDateString('en-CA', { timeZone: 'Europe/Paris' });
  const parisWeekday = (d: Date) => d.toLocaleDateString('en-US', { weekday: 'short', timeZone: 'Europe/Paris' });
  let due = new Date();
  while (['Sat', 'Sun'].includes(parisWeekday(due))) due = new Date(due.getTime() - 86_400_000);
  const dueDay = parisDay(due);
  if (dueDay.slice(0, 7) !== parisDay(new Date()).slice(0, 7)) {
    await page.getByRole('link', { name: 'Previous month' }).click();
  }
  await page.locator(`.month-grid form:has(input[name="date"][value="${dueDay}"]) button`).click();
  await expect(page.locator('.habit-stats .tile-value').first()).toHaveText('1');
  await expect(page.locator('.month-grid button[aria-pressed="true"]')).toHaveCount(1);
  await shot(page, project, 'wellness-3-habit');
  await page.getByRole('link', { name: '‹ Habits' }).click();
  await expect(page.locator('.habit-row', { hasText: 'Stretch' })).toBeVisible();
  await shot(page, project, 'wellness-3b-habits');

  // Mood: one quick entry with energy and tags.
  await page.goto('/mood');
  await page.locator('label.mood-choice.mood-5').click();
  await page.locator('fieldset.scale', { hasText: 'Energy' }).getByText('4', { exact: true }).click();
  await page.getByLabel('What have you been doing?').fill('outdoors, friends');
  await page.getByRole('button', { name: 'Save mood' }).click();
  await expect(page.getByText('Mood saved.')).toBeVisible();
  await expect(page.locator('.mood-entry').first()).toContainText('great');
  await expect(page.locator('.mood-entry').first()).toContainText('Energy 4/5');
  await expect(page.locator('.chart svg:visible')).toBeVisible();
  await expect(page.locator('.pixels-grid .px-5')).toHaveCount(1);
  await shot(page, project, 'wellness-4-mood');

  // Goals: a steps goal shows progress from the demo data.
  await page.goto('/goals');
  await expect(page.getByText('No goals yet')).toBeVisible();
  await page.getByLabel('What').selectOption('steps');
  await page.getByLabel('Target').fill('5000');
  await page.getByLabel('Every').selectOption('weekly');
  await page.getByRole('button', { name: 'Create goal' }).click();
  const goal = page.locator('.goal-item').first();
  await expect(goal).toContainText('This week');
  await expect(goal.locator('[role="progressbar"]')).toHaveAttribute('aria-valuenow', /\d+/);
  await goal.locator('.goal-link').click();
  await expect(page.getByRole('heading', { name: 'History' })).toBeVisible();
  await expect(page.locator('.chart svg:visible')).toBeVisible();
  await shot(page, project, 'wellness-5-goals');

  // Today: every item is there and links to its screen; a mood in one tap.
  await page.goto('/');
  await expect(page.locator('.wellness-today .ring')).toHaveAttribute('aria-label', '580 ml of 2500 ml today');
  const weekend = ['Sat', 'Sun'].includes(parisWeekday(new Date()));
  await expect(page.locator('.wellness-today .habit-row', { hasText: 'Stretch' })).toHaveCount(weekend ? 0 : 1);
  await expect(page.locator('.wellness-today .goal-item')).toHaveCount(1);
  await page.getByRole('button', { name: 'Log mood: good' }).click();
  await expect(page.locator('.mood-today')).toContainText('Feeling good');
  await page.locator('.wellness-today').getByRole('button', { name: 'Add 250 ml of water' }).click();
  await expect(page.locator('.wellness-today .ring')).toHaveAttribute('aria-label', '830 ml of 2500 ml today');
  await shot(page, project, 'wellness-6-today');

  // Dark theme.
  await page.locator('.topbar [data-theme-toggle]').click();
  const theme = await page.locator('html').getAttribute('data-theme');
  if (theme !== 'dark') await page.locator('.topbar [data-theme-toggle]').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await shot(page, project, 'wellness-7-today-dark');
  await page.goto('/habits');
  await shot(page, project, 'wellness-7b-habits-dark');

  expect(pageErrors).toEqual([]);
});
