import { defineConfig, devices } from '@playwright/test';

// Two fresh servers (each its own empty SQLite data directory) so each viewport starts with a
// first-run install. start-server.sh expects the site built and the release binary present
// (scripts/test does both).
const DESKTOP_PORT = 3101;
const PHONE_PORT = 3102;
// One more server, seeded with demo data, for the health pages (read-only, shared by both sizes).
const DEMO_PORT = 3103;

const chromium = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    headless: true,
    launchOptions: chromium,
    trace: 'off',
  },
  projects: [
    {
      name: 'desktop',
      testMatch: /journey\.spec\.ts/,
      use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 }, baseURL: `http://127.0.0.1:${DESKTOP_PORT}`, launchOptions: chromium },
    },
    {
      name: 'phone',
      testMatch: /journey\.spec\.ts/,
      use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, baseURL: `http://127.0.0.1:${PHONE_PORT}`, launchOptions: chromium },
    },
    {
      name: 'no-javascript',
      testMatch: /no-javascript\.spec\.ts/,
      dependencies: ['desktop'],
      use: { viewport: { width: 390, height: 844 }, javaScriptEnabled: false, baseURL: `http://127.0.0.1:${DESKTOP_PORT}`, launchOptions: chromium },
    },
    {
      // Connects the built-in demo provider as the member the phone journey invited.
      name: 'connections-phone',
      testMatch: /connections\.spec\.ts/,
      dependencies: ['phone'],
      use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, baseURL: `http://127.0.0.1:${PHONE_PORT}`, launchOptions: chromium },
    },
    {
      // Administration as the owner the phone journey set up: API keys, webhooks, and the
      // sync jobs of the member the connections test connected.
      name: 'admin-phone',
      testMatch: /admin\.spec\.ts/,
      dependencies: ['connections-phone'],
      use: {
        viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
        baseURL: `http://127.0.0.1:${PHONE_PORT}`, launchOptions: chromium,
        permissions: ['clipboard-read', 'clipboard-write'],
      },
    },
    {
      name: 'health-phone',
      testMatch: /health\.spec\.ts/,
      use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, baseURL: `http://127.0.0.1:${DEMO_PORT}`, launchOptions: chromium },
    },
    {
      // Writes to the demo server: runs after the read-only health tests.
      name: 'wellness-phone',
      testMatch: /wellness\.spec\.ts/,
      dependencies: ['health-phone', 'health-desktop'],
      use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, baseURL: `http://127.0.0.1:${DEMO_PORT}`, launchOptions: chromium },
    },
    {
      // Every page at 390 px in both themes: overflow, chart text size, touch targets, axe-core.
      // Runs last on the demo server: it follows links to the habit, goal and journal entry the
      // wellness test wrote (creating its own only when run alone, with --no-deps).
      name: 'phone-audit',
      testMatch: /phone-audit\.spec\.ts/,
      dependencies: ['wellness-phone'],
      use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, baseURL: `http://127.0.0.1:${DEMO_PORT}`, launchOptions: chromium },
    },
    {
      name: 'health-desktop',
      testMatch: /health\.spec\.ts/,
      use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 }, baseURL: `http://127.0.0.1:${DEMO_PORT}`, launchOptions: chromium },
    },
  ],
  webServer: [[DESKTOP_PORT, ''], [PHONE_PORT, ''], [DEMO_PORT, 'demo']].map(([port, seed]) => ({
    command: `./start-server.sh ${port} ${seed}`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  })),
});
