// Runs the clients/js library in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core).
// A tiny static server on 127.0.0.1 serves the page, node-seal's web build and src/index.js; with `apiUrl`
// it also forwards /api/* to a Veil host, so the page calls the host same-origin (as behind a reverse
// proxy) and the host needs no CORS. The page may reach nothing but that server.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const { chromium } = require('playwright-core');

const ROOT = path.join(__dirname, '..');
const FILES = {
  '/': ['browser/index.html', 'text/html'],
  '/src/index.js': ['src/index.js', 'text/javascript'],
  '/node_modules/node-seal/throws_wasm_web_umd.js': ['node_modules/node-seal/throws_wasm_web_umd.js', 'text/javascript'],
};
const CHROMIUM = process.env.VEIL_CHROMIUM || '/usr/bin/chromium';

function proxy(req, res, apiUrl) {
  const target = new URL(req.url, apiUrl);
  const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
    res.writeHead(up.statusCode, up.headers);
    up.pipe(res);
  });
  upstream.on('error', (e) => {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `proxy: ${e.message}` }));
  });
  req.pipe(upstream);
}

function startServer(apiUrl) {
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    if (apiUrl && pathname.startsWith('/api/')) return proxy(req, res, apiUrl);
    const file = FILES[pathname];
    if (!file) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': file[1] });
    fs.createReadStream(path.join(ROOT, file[0])).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Opens the page in headless Chromium and passes it to `use(page)`; returns what `use` returns. Fails when
 * Chromium cannot start or the page cannot load the library (no skipping: scripts/setup.sh installs it).
 */
async function withLibraryPage({ apiUrl } = {}, use) {
  const server = await startServer(apiUrl);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // loopback only: anything else is refused before it leaves the browser
    await page.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
    await page.goto(origin + '/');
    const loaded = await page.evaluate(() => typeof globalThis.SEAL === 'function' && typeof globalThis.VeilHe === 'object');
    if (!loaded) throw new Error(`the page did not load node-seal and the library: ${errors.join('; ') || 'no error reported'}`);
    return await use(page);
  } finally {
    await browser.close();
    server.close();
  }
}

module.exports = { withLibraryPage, proxy, CHROMIUM };
