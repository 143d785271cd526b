import { defineConfig, devices } from '@playwright/test';

// Two fresh servers (each its own empty SQLite data directory) so each viewport starts with a
// first-run install. start-server.sh expects the site built and the release binary present
// (scripts/test does both).
const DESKTOP_PORT = 3101;
const PHONE_PORT = 3102;

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
  ],
  webServer: [DESKTOP_PORT, PHONE_PORT].map((port) => ({
    command: `./start-server.sh ${port}`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  })),
});
