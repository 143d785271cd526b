import { test, expect, Browser, BrowserContext, Page, TestInfo } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { DEMO, signIn } from './helpers';

// Every page of the app at 390×844, in the light and the dark theme, on the demo server:
//   overflow    the page itself never scrolls sideways (scrollers inside it may);
//   chart-text  text in inline SVG charts is at least 11 px as rendered;
//   touch       primary actions (.btn, submit buttons, main navigation, tabs) are at least 44×44 px;
//   axe         axe-core finds no serious or critical violation (colour contrast included).
// Closed <details> (tables behind "Show table", delete confirmations, extra forms) are opened
// first, so what they hide is audited too. Every failure is collected; the test fails once at
// the end with a report grouped by check, in which a failure seen on several pages is listed
// once, with its pages.

type Theme = 'light' | 'dark';
type Check = 'load' | 'overflow' | 'chart-text' | 'touch' | 'axe';
/** What a check found: `detail` groups identical findings across pages, `where` says where on
 *  the page (a chart, the labels of the elements), `example` is shown once per group. */
type Finding = { detail: string; where?: string; example?: string };
type Failure = Finding & { page: string; theme: Theme; check: Check };

const THEMES: Theme[] = ['light', 'dark'];
const MIN_CHART_TEXT_PX = 11;
const MIN_TARGET_PX = 44;
const AXE = require.resolve('axe-core/axe.min.js');

// Pages reachable at a fixed address (routes of src/app.rs). Pages with an id in their address
// and the range variants are found by following links: see discoverPages.
const FIXED_PAGES = [
  '/', '/trends', '/sleep', '/heart', '/body', '/records', '/workouts', '/measurements',
  '/water', '/habits', '/mood', '/more', '/connections', '/goals', '/journal', '/journal/new',
  '/settings', '/admin', '/admin/api-keys', '/admin/webhooks', '/admin/jobs', '/admin/users',
  '/instance',
];
// Chart pages whose range tabs are audited one by one.
const RANGE_PAGES = ['/trends/steps', '/sleep'];

test('every page passes the phone audit in both themes', async ({ browser }, info) => {
  test.setTimeout(20 * 60_000);
  const failures: Failure[] = [];

  // Signed out: the login page.
  for (const theme of THEMES) {
    const context = await phoneContext(browser, info, theme);
    await auditPage(await context.newPage(), '/login', theme, failures);
    await context.close();
  }

  // Signed in as the demo owner (an admin and the instance owner: every page is open).
  let pages: string[] = [];
  for (const theme of THEMES) {
    const context = await phoneContext(browser, info, theme);
    const page = await context.newPage();
    await signIn(page, DEMO);
    if (pages.length === 0) pages = await discoverPages(page);
    for (const path of pages) await auditPage(page, path, theme, failures);
    await context.close();
  }

  const audited = ['/login', ...pages];
  const report = summary(failures, audited);
  writeFileSync(info.outputPath('phone-audit-report.txt'), report);
  expect(failures.length, report).toBe(0);
});

// ---------------------------------------------------------------------------------------------
// Setting up

/** A fresh phone-sized context with the theme remembered and the colour scheme emulated. */
async function phoneContext(browser: Browser, info: TestInfo, theme: Theme): Promise<BrowserContext> {
  const use = info.project.use;
  const context = await browser.newContext({
    baseURL: use.baseURL,
    viewport: use.viewport ?? { width: 390, height: 844 },
    isMobile: use.isMobile,
    hasTouch: use.hasTouch,
    deviceScaleFactor: use.deviceScaleFactor,
    colorScheme: theme,
    // axe-core goes in as an inline script; the app's Content-Security-Policy would refuse it.
    bypassCSP: true,
  });
  // The head script reads this before first paint and sets <html data-theme>.
  await context.addInitScript((t) => {
    try { localStorage.setItem('vitasync-theme', t); } catch { /* storage unavailable */ }
  }, theme);
  return context;
}

/** The addresses to audit: the fixed pages plus what links lead to (creating data if needed). */
async function discoverPages(page: Page): Promise<string[]> {
  const found: string[] = [...FIXED_PAGES];
  const hrefs = async (selector: string) =>
    page.locator(selector).evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? ''));

  // Every metric listed on Trends.
  await open(page, '/trends');
  const metrics = (await hrefs('a[href^="/trends/"]')).filter((h) => /^\/trends\/[^/?]+$/.test(h));
  expect(metrics, 'metric links on /trends').toContain('/trends/steps');
  found.push(...metrics);

  // The range tabs of the chart pages.
  for (const base of RANGE_PAGES) {
    await open(page, base);
    const tabs = await hrefs('nav[aria-label="Time range"] a.tab');
    expect(tabs.length, `range tabs on ${base}`).toBeGreaterThan(0);
    found.push(...tabs);
  }

  // A workout.
  await open(page, '/workouts');
  found.push(await firstHref(page, 'a.workout-row', '/workouts'));

  // A habit: create one if there is none.
  await open(page, '/habits');
  if (await page.locator('a.habit-name').count() === 0) {
    await page.getByLabel('Name', { exact: true }).fill('Audit walk');
    await page.getByLabel('Icon').fill('🚶');
    await page.getByRole('button', { name: 'Create habit' }).click();
    await expect(page.locator('a.habit-name').first()).toBeVisible();
  }
  found.push(await firstHref(page, 'a.habit-name', '/habits'));

  // A goal: create one if there is none.
  await open(page, '/goals');
  if (await page.locator('a.goal-link').count() === 0) {
    await page.getByLabel('What').selectOption('steps');
    await page.getByLabel('Target').fill('8000');
    await page.getByLabel('Every').selectOption('weekly');
    await page.getByRole('button', { name: 'Create goal' }).click();
    await expect(page.locator('a.goal-link').first()).toBeVisible();
  }
  found.push(await firstHref(page, 'a.goal-link', '/goals'));

  // A journal entry, and its edit page: write one if there is none.
  await open(page, '/journal');
  if (await page.locator('a.journal-link').count() === 0) {
    await open(page, '/journal/new');
    await page.getByLabel('Title (optional)').fill('Audit entry');
    await page.getByLabel('Entry', { exact: true }).fill('A short walk.\n\n- water\n- stretch');
    await page.getByLabel('Tags').fill('audit');
    await page.getByRole('button', { name: 'Save entry' }).click();
    await expect(page.getByRole('heading', { name: 'Audit entry', level: 1 })).toBeVisible();
    await open(page, '/journal');
  }
  const entry = await firstHref(page, 'a.journal-link', '/journal');
  found.push(entry, `${entry}/edit`);

  // A person (the owner at least).
  await open(page, '/admin/users');
  found.push(await firstHref(page, '.people-list a.cell-main', '/admin/users'));

  // A webhook endpoint's deliveries page: add an endpoint if there is none (nothing is sent).
  await open(page, '/admin/webhooks');
  const endpoint = 'a.cell-main[href^="/admin/webhooks/"]';
  if (await page.locator(endpoint).count() === 0) {
    await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/audit-hooks');
    await page.getByLabel('Description (optional)').fill('Phone audit');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.locator(endpoint).first()).toBeVisible();
  }
  found.push(await firstHref(page, endpoint, '/admin/webhooks'));

  return [...new Set(found)];
}

async function firstHref(page: Page, selector: string, where: string): Promise<string> {
  const link = page.locator(selector).first();
  await expect(link, `a link ${selector} on ${where}`).toBeVisible();
  return (await link.getAttribute('href'))!;
}

/** Loads a page and waits until it has settled (network quiet, web fonts ready). */
async function open(page: Page, path: string) {
  const response = await page.goto(path);
  try {
    await page.waitForLoadState('networkidle', { timeout: 10_000 });
  } catch { /* a page that keeps polling: audit it as it is */ }
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  return response;
}

// ---------------------------------------------------------------------------------------------
// Auditing one page

async function auditPage(page: Page, path: string, theme: Theme, failures: Failure[]) {
  const add = (check: Check, findings: Finding[]) =>
    findings.forEach((f) => failures.push({ ...f, page: path, theme, check }));
  const response = await open(page, path);
  // Audit the page asked for, not an error page or the login form.
  const status = response?.status() ?? 0;
  const landed = new URL(page.url()).pathname;
  if (status >= 400) add('load', [{ detail: `HTTP ${status}` }]);
  if (landed !== new URL(path, 'http://x').pathname) add('load', [{ detail: `redirected to ${landed}` }]);
  // The theme must really be applied, or the dark half of the audit would test nothing.
  expect(await page.evaluate(() => document.documentElement.dataset.theme), `theme on ${path}`).toBe(theme);
  // What closed <details> hide is part of the page too.
  await page.evaluate(() => {
    for (const d of document.querySelectorAll('details:not([open])')) (d as HTMLDetailsElement).open = true;
  });

  add('overflow', await checkOverflow(page));
  add('chart-text', await checkChartText(page));
  add('touch', await checkTouchTargets(page));
  add('axe', await checkAxe(page));
}

/** The page must not scroll sideways. Compared with the layout viewport's width
 *  (documentElement.clientWidth, 390): in mobile emulation window.innerWidth grows with the
 *  content, so `scrollWidth <= innerWidth` would always hold. Names where the overflow starts:
 *  elements past the right edge whose parent is not, outside any scrolling container. */
async function checkOverflow(page: Page): Promise<Finding[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth <= width) return [];
    const sticksOut = (el: Element) => el.getBoundingClientRect().right > width + 0.5;
    const clipped = (el: Element) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    const name = (el: Element) =>
      el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + [...el.classList].map((c) => `.${c}`).join('');
    const culprits = [...document.body.querySelectorAll('*')]
      .filter((el) => sticksOut(el) && !(el.parentElement && sticksOut(el.parentElement)) && !clipped(el))
      .map((el) => `${el.parentElement ? name(el.parentElement) + ' > ' : ''}${name(el)} ` +
        `(right edge at ${Math.round(el.getBoundingClientRect().right)} px)`);
    return [{
      detail: `the page is ${scrollWidth} px wide at ${width} px`,
      where: culprits.slice(0, 4).join('; ') + (culprits.length > 4 ? `; +${culprits.length - 4} more` : ''),
    }];
  });
}

/** Text in inline SVG charts: computed font-size × the SVG's scale must be ≥ 11 px. */
async function checkChartText(page: Page): Promise<Finding[]> {
  return page.evaluate((min) => {
    const out: Finding[] = [];
    for (const svg of document.querySelectorAll('svg')) {
      const texts = [...svg.querySelectorAll('text')].filter((t) => (t.textContent ?? '').trim() !== '');
      if (texts.length === 0 || !svg.checkVisibility()) continue;
      const box = svg.getBoundingClientRect();
      const vb = svg.viewBox.baseVal;
      // The SVG's scale: its rendered width over its viewBox width (with the default
      // preserveAspectRatio "meet", the smaller of the two axes' scales wins).
      let scale = 1;
      if (vb && vb.width > 0 && vb.height > 0) {
        scale = box.width / vb.width;
        if (svg.getAttribute('preserveAspectRatio') !== 'none') scale = Math.min(scale, box.height / vb.height);
      }
      const small = texts
        .map((t) => ({ text: (t.textContent ?? '').trim(), font: parseFloat(getComputedStyle(t).fontSize) }))
        .filter((t) => t.font * scale < min);
      if (small.length === 0) continue;
      const range = (xs: number[]) => {
        const lo = Math.min(...xs).toFixed(1), hi = Math.max(...xs).toFixed(1);
        return lo === hi ? lo : `${lo}–${hi}`;
      };
      // The chart's title without its dates ("Steps, 8 Nov 2026 to 7 Dec 2026" → "Steps").
      const title = (svg.querySelector('title')?.textContent || svg.getAttribute('aria-label') || 'untitled chart')
        .trim().replace(/(,| on| from) \d{1,2} \w+( \d{4})?\b.*$/, '');
      out.push({
        detail: `labels at ${range(small.map((t) => t.font * scale))} px ` +
          `(font-size ${range(small.map((t) => t.font))} px × SVG scale ${scale.toFixed(2)})`,
        where: `"${title}": ${small.length} of ${texts.length} labels, e.g. ` +
          [...new Set(small.map((t) => t.text))].slice(0, 3).map((t) => `"${t}"`).join(' '),
      });
    }
    return out;
  }, MIN_CHART_TEXT_PX);
}

/** Primary actions must be at least 44×44 px. */
async function checkTouchTargets(page: Page): Promise<Finding[]> {
  return page.evaluate((min) => {
    const kinds: [string, string][] = [
      ['.btn', 'button'],
      ['button[type="submit"]', 'submit button'],
      ['nav[aria-label="Main"] a', 'main navigation link'],
      ['a.tab, .tabs a', 'tab'],
    ];
    const seen = new Set<Element>();
    const byDetail = new Map<string, string[]>();
    for (const [selector, kind] of kinds) {
      for (const el of document.querySelectorAll(selector)) {
        if (seen.has(el)) continue;
        seen.add(el);
        if (!el.checkVisibility({ visibilityProperty: true })) continue;
        const r = el.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) continue; // visually hidden (.sr-only)
        const [w, h] = [Math.round(r.width), Math.round(r.height)];
        const narrow = r.width < min - 0.5, short = r.height < min - 0.5;
        if (!narrow && !short) continue;
        const size = narrow && short ? `${w}×${h} px` : short ? `${h} px tall` : `${w} px wide`;
        const detail = `${kind} ${el.tagName.toLowerCase()}.${[...el.classList].join('.')} is ${size}`;
        const label = (el.getAttribute('aria-label') || (el as HTMLElement).innerText || '')
          .replace(/\s+/g, ' ').trim().slice(0, 40);
        byDetail.set(detail, [...(byDetail.get(detail) ?? []), `"${label}"`]);
      }
    }
    return [...byDetail].map(([detail, labels]) => ({
      detail,
      where: labels.slice(0, 4).join(', ') + (labels.length > 4 ? ` +${labels.length - 4} more` : ''),
    }));
  }, MIN_TARGET_PX);
}

/** axe-core: serious and critical violations, one finding per rule, kind of element and message. */
async function checkAxe(page: Page): Promise<Finding[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const axe = (window as any).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    const byDetail = new Map<string, { count: number; target: string; html: string }>();
    for (const v of results.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      for (const node of v.nodes) {
        const target = node.target.join(' ');
        let el: Element | null = null;
        try { el = document.querySelector(target); } catch { /* not a plain selector */ }
        const kind = el ? el.tagName.toLowerCase() + [...el.classList].map((c) => `.${c}`).join('') : target;
        const why = ((node.any[0] ?? node.all[0] ?? node.none[0])?.message ?? v.help)
          .replace('Element has insufficient color contrast of', 'contrast');
        const detail = `${v.id} (${node.impact ?? v.impact}) on ${kind}: ${why}`;
        const seen = byDetail.get(detail);
        if (seen) seen.count++;
        else byDetail.set(detail, { count: 1, target, html: node.html.replace(/\s+/g, ' ') });
      }
    }
    return [...byDetail].map(([detail, { count, target, html }]) => ({
      detail,
      where: count > 1 ? `×${count}` : undefined,
      example: `e.g. ${target}: ${html.length > 140 ? html.slice(0, 137) + '…' : html}`,
    }));
  });
}

// ---------------------------------------------------------------------------------------------
// The report

const CHECK_TITLES: Record<Check, string> = {
  load: 'page did not load (error status or redirect)',
  overflow: 'page scrolls sideways at 390 px',
  'chart-text': `chart text under ${MIN_CHART_TEXT_PX} px`,
  touch: `touch targets under ${MIN_TARGET_PX}×${MIN_TARGET_PX} px`,
  axe: 'axe-core serious/critical violations',
};

/** Failures by check, then by identical detail, each with the pages (and themes) it occurs on. */
function summary(failures: Failure[], pages: string[]): string {
  const lines = [
    `Phone audit (390×844, light and dark) of ${pages.length} pages: ${failures.length} failure(s).`,
  ];
  for (const check of Object.keys(CHECK_TITLES) as Check[]) {
    const ofCheck = failures.filter((f) => f.check === check);
    if (ofCheck.length === 0) continue;
    // detail → place (page and where on it) → themes; and the first example seen.
    const groups = new Map<string, { places: Map<string, Set<Theme>>; example?: string }>();
    for (const f of ofCheck) {
      const group = groups.get(f.detail) ?? { places: new Map<string, Set<Theme>>(), example: f.example };
      groups.set(f.detail, group);
      const place = f.where ? `${f.page} (${f.where})` : f.page;
      group.places.set(place, (group.places.get(place) ?? new Set<Theme>()).add(f.theme));
    }
    lines.push('', `■ ${check}: ${CHECK_TITLES[check]} (${groups.size} distinct, ${ofCheck.length} in all)`);
    const sorted = [...groups].sort((a, b) => b[1].places.size - a[1].places.size || a[0].localeCompare(b[0]));
    for (const [detail, { places, example }] of sorted) {
      const themesOf = (s: Set<Theme>) => (s.size === THEMES.length ? '' : ` [${[...s].join('+')} only]`);
      const everywhere = places.size === pages.length && [...places.values()].every((s) => s.size === THEMES.length);
      lines.push(`  • ${detail}`);
      if (example) lines.push(`      ${example}`);
      lines.push(`      on: ${everywhere ? `every page (${pages.length})` : [...places].map(([p, s]) => p + themesOf(s)).join(', ')}`);
    }
  }
  lines.push('', `Pages audited: ${pages.join(' ')}`);
  return lines.join('\n');
}
