#!/usr/bin/env node
// For DashboardBenchmark: signs in to the dashboard in headless Chromium, loads it `--loads` times (time
// from navigation to the functions table, its charts and the log's backlog on screen), then keeps one
// page open and idle for `--idle-seconds`, saying on stdout when that window starts and ends so the host
// side can read its CPU time around it.
//
//   node dashboard-bench.mjs --url http://127.0.0.1:PORT --key MASTER_KEY --functions 50 --loads 5 --idle-seconds 60
import { parseArgs } from 'node:util';
import playwright from 'playwright-core';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' }, key: { type: 'string' }, functions: { type: 'string' },
    loads: { type: 'string', default: '5' }, 'idle-seconds': { type: 'string', default: '60' },
  },
});
const origin = new URL(args.url).origin;
const browser = await playwright.chromium.launch({
  executablePath: process.env.VEIL_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.route('**/*', (route) => (route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort()));
  const page = await context.newPage();
  await page.goto(`${origin}/ui/`);
  await page.getByLabel('Master key').fill(args.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#nav').waitFor({ state: 'visible' });
  const functions = Number(args.functions);
  const loads = [];
  for (let i = 0; i < Number(args.loads); i++) {
    await page.goto('about:blank'); // a full load each time, not a same-document hash change
    const started = Date.now();
    await page.goto(`${origin}/ui/#log`);
    await page.waitForFunction((n) => document.body.dataset.loaded
      && document.querySelectorAll('#functions-rows tr').length >= n
      && document.querySelectorAll('#functions-rows canvas').length >= 2 * n
      && document.querySelectorAll('#log-lines li').length >= 200, functions, { timeout: 60000, polling: 20 });
    loads.push(Date.now() - started);
    console.log(`LOAD ${loads[loads.length - 1]}`);
  }
  const paint = await page.evaluate(() => performance.getEntriesByType('navigation')[0].toJSON());
  await page.waitForTimeout(3000); // let the first refreshes settle
  console.log('IDLE-START');
  await page.waitForTimeout(Number(args['idle-seconds']) * 1000);
  console.log('IDLE-END');
  const sorted = [...loads].sort((a, b) => a - b);
  console.log(JSON.stringify({
    loads_ms: loads, median_ms: sorted[Math.floor(sorted.length / 2)],
    dom_content_loaded_ms: Math.round(paint.domContentLoadedEventEnd), user_agent: await page.evaluate(() => navigator.userAgent),
  }));
} finally {
  await browser.close();
}
