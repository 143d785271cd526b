// Phone page-load benchmark, browser side (scripts/phone-bench starts the server and runs this).
//
// What it measures, against a running VitaSync with demo data (demo@example.com):
// for Today (/), a 365-day chart (/trends/steps?range=365) and the Journal (/journal), on a
// mid-range phone over Fast 3G (system Chromium, 390×844 at 3×, touch, mobile user agent; CPU
// slowed 4× and Chrome DevTools' "Fast 3G" network through the DevTools protocol):
//   - COLD: a new browser context holding only the signed-in session (empty HTTP cache);
//   - WARM: a second page (tab) in that same context loading the same URL, so the HTTP cache
//     is primed by the cold load.
// Before measuring, it signs in once through the real /login form (unthrottled) and opens each
// page once there, so the server's own caches are warm for the first measured run too.
// Per load: time to interactive (TTI), first contentful paint, DOMContentLoaded, load (all in ms
// from navigation start), the HTML size, and the bytes transferred (sum of encodedDataLength,
// headers included) split into document / wasm+JS / CSS / other, with the number of requests,
// how many were answered from the cache and how many were 304 Not Modified.
// TTI: the load event has ended and, if the page requested a WebAssembly bundle (/pkg/*.wasm),
// the app has hydrated: it then sets <html data-hydrated="performance.now() in ms">, and that
// value is the hydration time. TTI = max(loadEventEnd, data-hydrated); loadEventEnd alone when
// no wasm is requested. Each load gives up after 60 s.
// Each measurement is repeated RUNS times (default 3); the table shows medians, the JSON file
// every run. It also prints the size of the wasm and JS files in the site's pkg/ directory: raw,
// gzip -9 and brotli 11 (the bundle figure). kB = 1000 bytes.
//
// Usually run through scripts/phone-bench (which seeds a year of demo data). Directly, against a
// server already running with the demo owner:
//   node end2end/bench/phone-bench.mjs --url http://127.0.0.1:3190 --site-root target/site \
//     --out /tmp/phone-bench.json
// Only playwright-core (end2end/node_modules) and Node built-ins; Chromium is /usr/bin/chromium.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const PAGES = [
  { name: 'Today', path: '/' },
  { name: 'Steps 365 d', path: '/trends/steps?range=365' },
  { name: 'Journal', path: '/journal' },
];
const EMAIL = 'demo@example.com';
const PASSWORD = 'demo-password-1';
const TIMEOUT_MS = 60_000;
const CPU_SLOWDOWN = 4;
// Network profiles (bytes per second, ms), chosen with NETWORK=fast3g (default) or 4g.
// fast3g: Chrome DevTools' "Fast 3G" preset (now called "Slow 4G"): DevTools adds its latency to
//   every request, so 562.5 ms stands for a 150 ms round trip; no page that makes a request can
//   be interactive in less than that, however much is cached.
// 4g: the same bandwidth with the 150 ms round trip itself (Lighthouse's mobile profile).
const NETWORKS = {
  fast3g: {
    name: 'Fast 3G',
    offline: false,
    latency: 150 * 3.75, // 562.5 ms
    downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9, // 180,000 B/s
    uploadThroughput: ((750 * 1000) / 8) * 0.9, // 84,375 B/s
  },
  '4g': {
    name: '4G (150 ms)',
    offline: false,
    latency: 150,
    downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9,
    uploadThroughput: ((750 * 1000) / 8) * 0.9,
  },
};
const NETWORK = NETWORKS[process.env.NETWORK || 'fast3g'];
if (!NETWORK) {
  console.error(`NETWORK must be one of: ${Object.keys(NETWORKS).join(', ')}`);
  process.exit(2);
}
const { name: NETWORK_NAME, ...NETWORK_CONDITIONS } = NETWORK;
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

// ---- arguments ------------------------------------------------------------------------------

function parseArgs(argv) {
  const args = { url: 'http://127.0.0.1:3190', siteRoot: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const [key, inline] = argv[i].split(/=(.*)/s);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (key === '--url') args.url = value().replace(/\/$/, '');
    else if (key === '--site-root') args.siteRoot = value();
    else if (key === '--out') args.out = value();
    else throw new Error(`unknown argument ${argv[i]} (expected --url, --site-root, --out)`);
  }
  return args;
}

// ---- helpers ----------------------------------------------------------------------------------

function median(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

const kB = (bytes) => (bytes == null ? '-' : (bytes / 1000).toFixed(1));
const ms = (v) => (v == null ? '-' : String(Math.round(v)));

function table(headers, rows, rightAligned) {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) =>
    cells.map((cell, c) => (rightAligned[c] ? String(cell).padStart(widths[c]) : String(cell).padEnd(widths[c]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function isWasm(url) {
  try {
    const u = new URL(url);
    return u.pathname.startsWith('/pkg/') && u.pathname.endsWith('.wasm');
  } catch {
    return false;
  }
}

function category(url, type) {
  let pathname = '';
  try {
    pathname = new URL(url).pathname;
  } catch {}
  if (/\.(wasm|m?js)$/.test(pathname) || type === 'Script') return 'wasmJs';
  if (type === 'Document') return 'document';
  if (/\.css$/.test(pathname) || type === 'Stylesheet') return 'css';
  return 'other';
}

// ---- the bundle figure ------------------------------------------------------------------------

function bundleSizes(siteRoot) {
  const pkg = path.join(siteRoot, 'pkg');
  // Recursive: wasm-bindgen puts inline JS snippets in pkg/snippets/.
  const files = fs.readdirSync(pkg, { recursive: true }).filter((f) => /\.(wasm|m?js)$/.test(f)).sort();
  return files.map((file) => {
    const raw = fs.readFileSync(path.join(pkg, file));
    const gzip = zlib.gzipSync(raw, { level: 9 }).length;
    const brotli = zlib.brotliCompressSync(raw, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }).length;
    return { file, raw: raw.length, gzip, brotli };
  });
}

// ---- one page load ----------------------------------------------------------------------------

// Records every request the page makes through its own DevTools session.
function watchNetwork(cdp) {
  const requests = new Map(); // requestId -> record
  const net = { requests, inFlight: new Set(), lastActivity: Date.now(), notModified: 0 };
  const touch = () => (net.lastActivity = Date.now());
  cdp.on('Network.requestWillBeSent', (e) => {
    touch();
    if (e.request.url.startsWith('data:')) return;
    const prev = requests.get(e.requestId);
    if (prev && e.redirectResponse) {
      // A redirect: the hop so far counts as its own request.
      prev.status = e.redirectResponse.status;
      prev.bytes += e.redirectResponse.encodedDataLength || 0;
      prev.finished = true;
      requests.set(`${e.requestId}#${requests.size}`, prev);
    }
    requests.set(e.requestId, {
      url: e.request.url,
      type: e.type,
      category: category(e.request.url, e.type),
      status: null,
      fromCache: false,
      bytes: 0,
      finished: false,
    });
    net.inFlight.add(e.requestId);
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.fromCache = true;
  });
  cdp.on('Network.responseReceived', (e) => {
    touch();
    const r = requests.get(e.requestId);
    if (!r) return;
    r.status = e.response.status;
    r.mimeType = e.response.mimeType;
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) r.fromCache = true;
  });
  // A revalidated response reaches the page as the cached 200; the raw status is here.
  cdp.on('Network.responseReceivedExtraInfo', (e) => {
    if (e.statusCode === 304) net.notModified++;
  });
  cdp.on('Network.loadingFinished', (e) => {
    touch();
    net.inFlight.delete(e.requestId);
    const r = requests.get(e.requestId);
    if (!r) return;
    r.bytes += e.encodedDataLength;
    r.finished = true;
  });
  cdp.on('Network.loadingFailed', (e) => {
    touch();
    net.inFlight.delete(e.requestId);
    const r = requests.get(e.requestId);
    if (r) r.failed = e.errorText || 'failed';
  });
  return net;
}

function summarizeNetwork(net) {
  const list = [...net.requests.values()];
  const bytes = { document: 0, wasmJs: 0, css: 0, other: 0, total: 0 };
  for (const r of list) {
    bytes[r.category] += r.bytes;
    bytes.total += r.bytes;
  }
  return {
    bytes,
    requests: list.length,
    fromCache: list.filter((r) => r.fromCache).length,
    notModified: net.notModified,
    wasmRequested: list.some((r) => isWasm(r.url)),
    list: list.map((r) => ({
      url: r.url, type: r.type, category: r.category, status: r.status, bytes: r.bytes,
      fromCache: r.fromCache, ...(r.failed ? { failed: r.failed } : {}),
    })),
  };
}

const sleep = (t) => new Promise((resolve) => setTimeout(resolve, t));

// Resolves with the data-hydrated value once <html> carries it (a MutationObserver in the page).
function hydratedValue(page, timeout) {
  return page.evaluate(
    (timeout) =>
      new Promise((resolve) => {
        const root = document.documentElement;
        const read = () => root.getAttribute('data-hydrated');
        if (read() !== null) return resolve(read());
        const observer = new MutationObserver(() => {
          if (read() !== null) {
            observer.disconnect();
            resolve(read());
          }
        });
        observer.observe(root, { attributes: true, attributeFilter: ['data-hydrated'] });
        setTimeout(() => {
          observer.disconnect();
          resolve(null);
        }, timeout);
      }),
    timeout,
  );
}

// Resolves with the first wasm or JS request under /pkg/ that failed or answered an error
// status, or with null once time is up or `watch.stop` is set.
async function brokenBundle(net, left, watch) {
  const isBundle = (url) => /^\/pkg\/.*\.(wasm|m?js)$/.test(new URL(url).pathname);
  while (!watch.stop && left() > 0) {
    const broken = [...net.requests.values()].find((r) => isBundle(r.url) && (r.failed || r.status >= 400));
    if (broken) return broken;
    await sleep(100);
  }
  return null;
}

// Loads `url` in a new page of `context` under the phone CPU and network, and measures it.
async function measureLoad(context, url) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const net = watchNetwork(cdp);
  const started = Date.now();
  const left = () => Math.max(0, TIMEOUT_MS - (Date.now() - started));
  try {
    await cdp.send('Network.enable');
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    await cdp.send('Network.emulateNetworkConditions', NETWORK_CONDITIONS);

    try {
      await page.goto(url, { waitUntil: 'load', timeout: TIMEOUT_MS });
    } catch (e) {
      throw new Error(`no load event within ${TIMEOUT_MS / 1000} s (${e.message.split('\n')[0]})`);
    }
    const finalPath = new URL(page.url()).pathname;
    if (finalPath !== new URL(url).pathname) {
      throw new Error(`ended on ${page.url()} instead (signed out?)`);
    }

    // The wasm bundle may be requested after the load event (a loader that waits for an idle
    // moment, or imports the JS glue first): wait until the network has been quiet for 2 s
    // before concluding the page has none. This waiting is not part of any figure.
    while (!summarizeNetwork(net).wasmRequested && left() > 0) {
      if (net.inFlight.size === 0 && Date.now() - net.lastActivity > 2000) break;
      await sleep(100);
    }
    const wasmRequested = summarizeNetwork(net).wasmRequested;

    let hydrated = null;
    if (wasmRequested) {
      // Waits for the marker, but gives up at once if the bundle itself could not be loaded.
      const watch = { stop: false };
      const hydration = hydratedValue(page, left()).then((value) => ({ value }));
      hydration.catch(() => {});
      const { value, broken } = await Promise.race([
        hydration,
        brokenBundle(net, left, watch).then((broken) => ({ broken })),
      ]).finally(() => (watch.stop = true));
      if (broken) {
        throw new Error(
          `${new URL(broken.url).pathname} ${broken.status ? `answered ${broken.status}` : broken.failed}: the page cannot hydrate`,
        );
      }
      if (value == null) {
        const wasm = [...net.requests.values()].filter((r) => isWasm(r.url));
        const how = wasm.map((r) => `${new URL(r.url).pathname} ${r.failed || r.status || 'pending'}`).join(', ');
        throw new Error(
          `the page requested its wasm (${how}) but <html data-hydrated> did not appear within ` +
            `${TIMEOUT_MS / 1000} s of navigation (a build that does not set it cannot be measured)`,
        );
      }
      hydrated = Number(value);
    }

    // Wait for the FCP entry too (normally long there), then read the navigation timing.
    const timing = await page.evaluate(async (timeout) => {
      const end = performance.now() + timeout;
      const fcpEntry = () => performance.getEntriesByName('first-contentful-paint')[0];
      const nav = () => performance.getEntriesByType('navigation')[0];
      while ((!fcpEntry() || !(nav().loadEventEnd > 0)) && performance.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const n = nav();
      return {
        fcp: fcpEntry() ? fcpEntry().startTime : null,
        dcl: n.domContentLoadedEventEnd,
        loadEventEnd: n.loadEventEnd,
        ttfb: n.responseStart,
        htmlBytes: n.decodedBodySize,
        htmlEncodedBytes: n.encodedBodySize,
      };
    }, Math.min(5000, left()));

    // Every request has settled (or we stop waiting) before the bytes are added up.
    while (net.inFlight.size > 0 && left() > 0) await sleep(100);
    const network = summarizeNetwork(net);

    return {
      ttiMs: wasmRequested ? Math.max(timing.loadEventEnd, hydrated) : timing.loadEventEnd,
      fcpMs: timing.fcp,
      dclMs: timing.dcl,
      loadMs: timing.loadEventEnd,
      hydratedMs: hydrated,
      ttfbMs: timing.ttfb,
      wasm: wasmRequested,
      htmlBytes: timing.htmlBytes,
      htmlEncodedBytes: timing.htmlEncodedBytes,
      bytes: network.bytes,
      requests: network.requests,
      fromCache: network.fromCache,
      notModified: network.notModified,
      requestList: network.list,
    };
  } finally {
    await cdp.detach().catch(() => {});
    await page.close().catch(() => {});
  }
}

// ---- signing in -------------------------------------------------------------------------------

// Signs in through the real form (no throttling) and returns the session's storage state.
async function signIn(browser, baseUrl, contextOptions) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`, { waitUntil: 'networkidle' });
  // If the page loads a wasm bundle, let it hydrate first so the form is submitted the usual way.
  const loadsWasm = await page.evaluate(() =>
    performance.getEntriesByType('resource').some((e) => /\/pkg\/.*\.wasm$/.test(new URL(e.name).pathname)),
  );
  if (loadsWasm) {
    await page
      .waitForFunction(() => document.documentElement.hasAttribute('data-hydrated'), null, { timeout: 10_000 })
      .catch(() => {});
  }
  await page.fill('input[name="email"]', EMAIL);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('form button[type="submit"]');
  await page.waitForURL((u) => u.pathname !== '/login', { timeout: 30_000 }).catch(() => {});
  await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
  if (new URL(page.url()).pathname !== '/') {
    throw new Error(`signing in as ${EMAIL} failed: / led to ${page.url()}`);
  }
  // Warm the server up (database pages, templates) so the first measured run is not an outlier.
  for (const p of PAGES) await page.goto(baseUrl + p.path, { waitUntil: 'load' });
  const state = await context.storageState();
  await context.close();
  return state;
}

// ---- main -------------------------------------------------------------------------------------

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const runs = Number.parseInt(process.env.RUNS || '3', 10);
  if (!(runs >= 1)) throw new Error(`RUNS must be a positive number, not ${process.env.RUNS}`);

  let bundle = null;
  if (args.siteRoot) {
    bundle = bundleSizes(args.siteRoot);
    const pkg = path.join(args.siteRoot, 'pkg');
    if (bundle.length === 0) {
      console.warn(`\nwarning: no .wasm or .js file in ${pkg} (was the browser bundle built?)`);
    } else {
      const total = (key) => bundle.reduce((sum, f) => sum + f[key], 0);
      console.log(`\nBundle figure: wasm and JS in ${pkg} (kB)\n`);
      const rows = bundle.map((f) => [f.file, kB(f.raw), kB(f.gzip), kB(f.brotli)]);
      rows.push(['total', kB(total('raw')), kB(total('gzip')), kB(total('brotli'))]);
      console.log(table(['file', 'raw', 'gzip -9', 'brotli 11'], rows, [false, true, true, true]));
    }
  }

  const browser = await chromium.launch(CHROMIUM);
  const results = [];
  let failures = 0;
  try {
    const major = browser.version().split('.')[0];
    const userAgent =
      `Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) ` +
      `Chrome/${major}.0.0.0 Mobile Safari/537.36`;
    const contextOptions = { ...PHONE, userAgent };
    console.log(`\nChromium ${browser.version()}, ${args.url}, ${runs} run(s) per figure, CPU ÷${CPU_SLOWDOWN}, ${NETWORK_NAME}`);
    const storageState = await signIn(browser, args.url, contextOptions);

    for (const p of PAGES) {
      const url = args.url + p.path;
      const entry = { page: p.name, path: p.path, cold: { runs: [] }, warm: { runs: [] } };
      for (let run = 1; run <= runs; run++) {
        const context = await browser.newContext({ ...contextOptions, storageState });
        try {
          for (const mode of ['cold', 'warm']) {
            let result;
            try {
              result = await measureLoad(context, url);
              process.stderr.write(
                `  ${p.path} ${mode} run ${run}: TTI ${ms(result.ttiMs)} ms, ${kB(result.bytes.total)} kB, ${result.requests} requests\n`,
              );
            } catch (e) {
              failures++;
              result = { error: e.message };
              process.stderr.write(`  ${p.path} ${mode} run ${run}: FAILED: ${e.message}\n`);
            }
            entry[mode].runs.push({ run, ...result });
          }
        } finally {
          await context.close();
        }
      }
      for (const mode of ['cold', 'warm']) {
        const ok = entry[mode].runs.filter((r) => !r.error);
        const pick = (f) => median(ok.map(f));
        entry[mode].median = ok.length === 0 ? null : {
          ttiMs: pick((r) => r.ttiMs),
          fcpMs: pick((r) => r.fcpMs),
          dclMs: pick((r) => r.dclMs),
          loadMs: pick((r) => r.loadMs),
          hydratedMs: pick((r) => r.hydratedMs),
          ttfbMs: pick((r) => r.ttfbMs),
          htmlBytes: pick((r) => r.htmlBytes),
          htmlEncodedBytes: pick((r) => r.htmlEncodedBytes),
          bytes: Object.fromEntries(['document', 'wasmJs', 'css', 'other', 'total'].map((k) => [k, pick((r) => r.bytes[k])])),
          requests: pick((r) => r.requests),
          fromCache: pick((r) => r.fromCache),
          notModified: pick((r) => r.notModified),
          wasm: ok.some((r) => r.wasm),
          okRuns: ok.length,
        };
      }
      results.push(entry);
    }
  } finally {
    await browser.close();
  }

  const rows = [];
  for (const entry of results) {
    for (const mode of ['cold', 'warm']) {
      const m = entry[mode].median;
      if (!m) {
        rows.push([entry.page, mode, 'failed', '-', '-', '-', '-', '-', '-', '-', '-']);
        continue;
      }
      const partial = m.okRuns < runs ? ` (${m.okRuns}/${runs} ok)` : '';
      rows.push([
        entry.page, mode, ms(m.ttiMs) + partial, ms(m.fcpMs), ms(m.dclMs), ms(m.hydratedMs),
        kB(m.htmlBytes), kB(m.bytes.total), kB(m.bytes.wasmJs), String(m.requests),
        `${m.fromCache}/${m.notModified}`,
      ]);
    }
  }
  console.log(`\nPhone profile (390×844 @3×, CPU ÷${CPU_SLOWDOWN}, ${NETWORK_NAME}), median of ${runs}; ms from navigation start, kB transferred\n`);
  console.log(
    table(
      ['page', 'load', 'TTI ms', 'FCP ms', 'DCL ms', 'hydrated', 'HTML kB', 'total kB', 'wasm+JS kB', 'requests', 'cached/304'],
      rows,
      [false, false, true, true, true, true, true, true, true, true, true],
    ),
  );
  console.log('\nHTML kB: decoded document size. cached/304: requests answered from the HTTP cache / with 304 Not Modified.');

  if (args.out) {
    const report = {
      generatedAt: new Date().toISOString(),
      baseUrl: args.url,
      serverBinary: process.env.VITASYNC_BIN || null,
      siteRoot: args.siteRoot,
      runs,
      profile: {
        ...PHONE,
        cpuSlowdown: CPU_SLOWDOWN,
        network: { preset: NETWORK_NAME, ...NETWORK_CONDITIONS },
        chromium: CHROMIUM,
      },
      bundle,
      pages: results,
    };
    fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
    fs.writeFileSync(args.out, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nFull results: ${args.out}`);
  }
  if (failures > 0) {
    console.error(`\n${failures} load(s) failed; see above.`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(`phone-bench: ${e.message}`);
  process.exit(1);
});
