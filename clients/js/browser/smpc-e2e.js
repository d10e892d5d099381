#!/usr/bin/env node
// The secure-serving client (src/smpc.js) in headless Chromium against two real compute parties: a page
// served from 127.0.0.1 loads the library as a plain <script>, and this server forwards /p0/* and /p1/* to
// the two parties (same origin, as behind a reverse proxy, so the parties need no CORS).
//
//   node browser/smpc-e2e.js --party0 http://127.0.0.1:7071 --party1 http://127.0.0.1:7072 --input digits.json
//
// Prints one JSON line: {"user_agent", "labels", "scores", "rounds"}. VEIL_FUNCTION_KEY: the parties' key.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const { chromium } = require('playwright-core');
const { proxy, CHROMIUM } = require('./harness');

const PAGE = '<!doctype html><meta charset="utf-8"><title>Veil secure serving</title><script src="/src/smpc.js"></script>';

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

async function main() {
  const { party0, party1, input } = args();
  const rows = JSON.parse(fs.readFileSync(input, 'utf8'));
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    for (const [prefix, target] of [['/p0/', party0], ['/p1/', party1]]) {
      if (pathname.startsWith(prefix)) {
        req.url = req.url.slice(prefix.length - 1);
        return proxy(req, res, target);
      }
    }
    if (pathname === '/src/smpc.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return fs.createReadStream(path.join(__dirname, '..', 'src', 'smpc.js')).pipe(res);
    }
    res.writeHead(pathname === '/' ? 200 : 404, { 'content-type': 'text/html' });
    return res.end(pathname === '/' ? PAGE : '');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
    await page.goto(origin + '/');
    const result = await page.evaluate(async ({ origin: o, rows: r, key }) => {
      const client = new globalThis.VeilSmpc.VeilSmpcClient(`${o}/p0/api`, `${o}/p1/api`, { functionKey: key });
      const scores = await client.predict('mnist-mlp', r, 'both');
      return { user_agent: navigator.userAgent, labels: scores.labels, scores: scores.scores, rounds: scores.rounds };
    }, { origin, rows, key: process.env.VEIL_FUNCTION_KEY });
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(`smpc-e2e: ${e.stack || e.message}`);
  process.exit(1);
});
