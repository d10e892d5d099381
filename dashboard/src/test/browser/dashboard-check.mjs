#!/usr/bin/env node
// The dashboard in a real browser (Debian's headless Chromium driven by playwright-core), against a
// running Veil host with traffic, for DashboardBrowserTest. Any request that would leave the host's
// origin is refused and reported. Fails (exit 1, the reason on stderr) at the first unmet check;
// prints one JSON line of findings otherwise.
//
//   node dashboard-check.mjs --url http://127.0.0.1:PORT --key MASTER_KEY --functions 'echo,fails' \
//       --shots target/screenshots --session-seconds 30 --host-key HOST_KEY --lag-group GROUP \
//       --lag-partitions 2 --long-run '{batch run request}'
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openBrowser, signIn } from './browser.mjs';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' }, key: { type: 'string' }, shots: { type: 'string' },
    functions: { type: 'string' }, 'session-seconds': { type: 'string' },
    'xss-name': { type: 'string' }, 'xss-problem': { type: 'string' },
    'host-key': { type: 'string' }, 'lag-group': { type: 'string' }, 'lag-partitions': { type: 'string' },
    'long-run': { type: 'string' },
  },
});
for (const a of ['url', 'key', 'shots', 'functions', 'session-seconds', 'xss-name', 'xss-problem', 'host-key',
  'lag-group', 'lag-partitions', 'long-run']) {
  if (!args[a]) throw new Error(`--${a} is required`);
}
const origin = new URL(args.url).origin;
const sessionMs = Number(args['session-seconds']) * 1000;
const PAGES = ['functions', 'log', 'keys', 'cluster', 'pool', 'triggers', 'batch'];
mkdirSync(args.shots, { recursive: true });

const { browser, profile, offOrigin, consoleErrors } = await openBrowser(origin);
const findings = {};

/** Evaluates fn(arg) in the page every 250 ms until ok(result), at most 30 s; returns that result. */
async function until(page, fn, arg, ok, what) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const result = await page.evaluate(fn, arg);
    if (ok(result)) return result;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(result)}`);
    await page.waitForTimeout(250);
  }
}

/** A uPlot chart's legend (series label → value) with the cursor at `fraction` of its width. */
async function legendAt(page, chart, fraction) {
  const over = await page.locator(`${chart} .u-over`).boundingBox();
  await page.mouse.move(over.x + Math.min(over.width - 1, over.width * fraction), over.y + over.height / 2);
  return page.evaluate((c) => Object.fromEntries([...document.querySelectorAll(`${c} .u-legend .u-series`)]
    .map((s) => [s.querySelector('.u-label')?.textContent, s.querySelector('.u-value')?.textContent])), chart);
}

async function shot(page, name) {
  await page.screenshot({ path: join(args.shots, `${name}.png`), fullPage: true });
}

try {
  // Real encrypted traffic first, from the demo page (/demo/) in this browser: keys made in the page,
  // the bundle uploaded, an encrypted digit scored; the host's key cache loads the bundle for it.
  {
    const demo = await profile();
    await demo.page.goto(`${origin}/demo/`);
    await demo.page.fill('#access-key', args['host-key']);
    await demo.page.evaluate(() => {
      const ctx = document.getElementById('pad').getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(130, 40, 24, 200);
    });
    await demo.page.click('#mnist-run');
    await demo.page.waitForFunction(() => !document.getElementById('mnist-result').hidden
      || document.getElementById('mnist-status').classList.contains('error'), null, { timeout: 120000 });
    findings.demo = await demo.page.textContent('#mnist-status');
    assert.ok(await demo.page.evaluate(() => !document.getElementById('mnist-result').hidden), `demo: ${findings.demo}`);
    await shot(demo.page, 'demo');
    await demo.context.close();
  }

  // A second profile signs in first and is left alone: its session must end by itself.
  const idle = await profile();
  await signIn(idle.page, origin, args.key);
  const idleSignedInAt = Date.now();

  const { context, page } = await profile();
  const first = await page.goto(`${origin}/ui/`);
  const csp = first.headers()['content-security-policy'] || '';
  assert.match(csp, /script-src 'self'/, 'CSP names script-src');
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, 'CSP allows no inline script or style');
  findings.csp = csp;

  // Sign in with the keyboard only: the skip link, then the labelled key field, Enter submits.
  await page.locator('#signin').waitFor({ state: 'visible' });
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'key', 'Tab reaches the key field');
  assert.equal(await page.evaluate(() => document.activeElement.labels[0].textContent), 'Master key');
  await page.keyboard.type('not-the-key');
  await page.keyboard.press('Enter');
  await page.locator('#signin-error').waitFor({ state: 'visible' });
  await shot(page, 'signin-failed');
  await page.getByLabel('Master key').focus();
  await page.keyboard.type(args.key);
  await page.keyboard.press('Enter');
  await page.locator('#nav').waitFor({ state: 'visible' });
  const signedInAt = Date.now();

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'veil_ui');
  assert.ok(session, 'a session cookie');
  assert.equal(session.httpOnly, true, 'HttpOnly');
  assert.equal(session.sameSite, 'Strict', 'SameSite=Strict');
  const stored = await page.evaluate(() => ({
    cookie: document.cookie, local: localStorage.length, session: sessionStorage.length, html: document.documentElement.outerHTML,
  }));
  assert.equal(stored.cookie, '', 'the page cannot read the session cookie');
  assert.equal(stored.local + stored.session, 0, 'nothing in browser storage');
  assert.ok(!stored.html.includes(args.key), 'the key is not in the page');

  // Functions: every function with its figures and sparklines, once two samples have traffic.
  const names = args.functions.split(',');
  for (const name of [...names, args['xss-name']]) {
    await page.locator('#functions-rows th', { hasText: name }).first().waitFor();
  }
  await page.waitForFunction(() => {
    const row = [...document.querySelectorAll('#functions-rows tr')].find((tr) => tr.cells[0].textContent === 'echo');
    return row && row.cells[5].textContent !== '–' && Number(row.cells[5].textContent) > 0 && row.querySelectorAll('canvas').length >= 2;
  }, null, { timeout: 20000 });
  const table = await page.evaluate(() => [...document.querySelectorAll('#functions-rows tr')].map((tr) => [...tr.cells].map((c) => c.textContent)));
  findings.functions = table;
  const fails = table.find((r) => r[0] === 'fails');
  await page.waitForFunction(() => {
    const row = [...document.querySelectorAll('#functions-rows tr')].find((tr) => tr.cells[0].textContent === 'fails');
    return row && row.cells[6].textContent.endsWith('%') && row.cells[6].textContent !== '0%';
  }, null, { timeout: 20000 });
  assert.ok(fails, 'the failing function is listed');
  const markupRow = await page.evaluate((n) => [...document.querySelectorAll('#functions-rows th')].filter((th) => th.textContent === n).length, args['xss-name']);
  assert.equal(markupRow, 1, 'the function named with markup shows its name as text');
  await shot(page, 'functions');

  // Keyboard navigation: Tab from the top reaches the nav's links; Enter on one shows its page.
  await page.locator('.skip').focus();
  let reached = null;
  for (let i = 0; i < 6 && reached !== 'Invocation log'; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.textContent);
  }
  assert.equal(reached, 'Invocation log', 'Tab reaches the log link');
  await page.keyboard.press('Enter');
  await page.locator('#log').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main', 'focus moves to the content');

  // The live log: lines arrive, the failing one's message (with markup) is text, filters work.
  await page.locator('#log-lines li', { hasText: args['xss-problem'] }).first().waitFor({ timeout: 15000 });
  const before = await page.locator('#log-lines li').count();
  await page.waitForFunction((n) => document.querySelectorAll('#log-lines li').length > n, before, { timeout: 15000 });
  await shot(page, 'log');
  await page.getByLabel('Function').selectOption('fails');
  await page.locator('#log-lines li').first().waitFor();
  await page.waitForTimeout(1500);
  const failLines = await page.locator('#log-lines li').allTextContents();
  assert.ok(failLines.length > 0 && failLines.every((l) => l.includes(' fails function_error ')), `function filter: ${failLines.slice(0, 3)}`);
  await page.getByLabel('Function').selectOption('');
  await page.getByLabel('Status').selectOption('client_error');
  await page.locator('#log-lines li').first().waitFor();
  await page.waitForTimeout(1500);
  const clientLines = await page.locator('#log-lines li').allTextContents();
  assert.ok(clientLines.length > 0 && clientLines.every((l) => l.includes(' rejects client_error 400 ')), `status filter: ${clientLines.slice(0, 3)}`);
  findings.logLines = { fails: failLines.length, clientErrors: clientLines.length };
  await page.getByLabel('Status').selectOption('');

  // The other pages, each with its data and charts.
  // Key cache: the demo's bundle is an entry, its bytes against the bound, one download at least.
  await page.click('a[href="#keys"]');
  await page.locator('#keys-chart canvas').waitFor();
  assert.ok(await page.locator('#keys-stats dt').count() >= 5, 'key cache figures');
  const keyFigures = () => {
    const shown = (name) => {
      const dt = [...document.querySelectorAll('#keys-stats dt')].find((d) => d.textContent === name);
      return dt ? dt.nextElementSibling.textContent : null;
    };
    const meter = document.querySelector('#keys-stats meter');
    return {
      entries: Number(shown('Entries')), bytes: shown('Bytes'), downloads: Number(shown('Downloads')),
      meterValue: meter ? meter.value : 0, meterMax: meter ? meter.max : 0,
      ids: [...document.querySelectorAll('#keys-list li')].map((li) => li.textContent),
    };
  };
  findings.keys = await until(page, keyFigures, undefined,
    (k) => k.entries >= 1 && k.downloads >= 1 && k.meterValue > 0, 'key cache page with the demo key');
  // The chart has the entry too: pointing at its newest sample puts the value in the chart's legend.
  for (let tries = 0; ; tries++) {
    const over = await page.locator('#keys-chart .u-over').boundingBox();
    await page.mouse.move(over.x + over.width - 1, over.y + over.height / 2);
    const legend = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#keys-chart .u-legend .u-series')]
      .map((s) => [s.querySelector('.u-label')?.textContent, s.querySelector('.u-value')?.textContent])));
    if (Number(legend.entries) >= 1) { findings.keys.chartEntries = Number(legend.entries); break; }
    if (tries > 20) throw new Error(`key cache chart legend: ${JSON.stringify(legend)}`);
    await page.waitForTimeout(250);
  }
  await shot(page, 'keys');
  await page.click('a[href="#cluster"]');
  await page.locator('#cluster-rows tr').first().waitFor();
  findings.cluster = await page.locator('#cluster-state').textContent();
  await shot(page, 'cluster');
  await page.click('a[href="#pool"]');
  await page.locator('#pool-chart canvas').waitFor();
  await page.locator('#pool-batches canvas').waitFor();
  findings.pool = await page.evaluate(() => [...document.querySelectorAll('#pool-rows tr')].map((tr) => [...tr.cells].map((c) => c.textContent)));
  // The charts' own figures, read from their legends with the cursor on them: the utilisation series
  // (one per worker, at the newest sample) and the batch-size histogram's bars (swept left to right).
  findings.poolUtilisation = await legendAt(page, '#pool-chart', 1);
  findings.poolBatches = {};
  for (let i = 0; i <= 40; i++) {
    const legend = await legendAt(page, '#pool-batches', i / 40);
    if (legend['batch size'] && legend['batch size'] !== '--') findings.poolBatches[legend['batch size']] = Number(legend.batches);
  }
  await shot(page, 'pool');
  await page.click('a[href="#triggers"]');
  await page.locator('#triggers-rows th', { hasText: 'veil.blob.last.scan' }).first().waitFor();
  await page.locator('#triggers-rows td', { hasText: 'function=classify-image-blob' }).first().waitFor();
  // Kafka: one veil.kafka.lag row per partition for the held consumer group.
  const lagRows = ({ group }) => [...document.querySelectorAll('#triggers-rows tr')]
    .filter((tr) => tr.cells[0].textContent === 'veil.kafka.lag' && tr.cells[1].textContent.split(' ').includes(`group=${group}`))
    .map((tr) => [tr.cells[1].textContent, tr.cells[2].textContent]);
  const lag = await until(page, lagRows, { group: args['lag-group'] },
    (rows) => rows.length >= Number(args['lag-partitions']), 'a lag row per partition');
  findings.lag = Object.fromEntries(lag.map(([tags, value]) => [/partition=(\d+)/.exec(tags)[1], Number(value)]));
  findings.triggers = await page.locator('#triggers').textContent();
  await shot(page, 'triggers');
  await page.click('a[href="#batch"]');
  await page.locator('#batch-rows progress').first().waitFor({ timeout: 20000 });
  findings.batch = await page.evaluate(() => [...document.querySelectorAll('#batch-rows tr')].map((tr) => [...tr.cells].map((c) => c.textContent)));
  // A long run (many one-row mini-batches) started now, cancelled with its row's Cancel button.
  const started = await context.request.post(`${origin}/api/batch/runs`, {
    headers: { 'x-functions-key': args.key, 'content-type': 'application/json' }, data: args['long-run'],
  });
  assert.equal(started.status(), 202, 'long batch run started');
  const runId = (await started.json()).id;
  const runRow = page.locator('#batch-rows tr', { has: page.locator('th', { hasText: runId }) });
  await runRow.getByRole('button', { name: 'Cancel' }).waitFor({ timeout: 20000 });
  await page.waitForFunction((id) => [...document.querySelectorAll('#batch-rows tr')]
    .some((tr) => tr.cells[0].textContent === id && tr.cells[2].textContent === 'running'), runId, { timeout: 20000 });
  const statusBefore = await runRow.locator('td').nth(1).textContent();
  await runRow.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForFunction((id) => [...document.querySelectorAll('#batch-rows tr')]
    .some((tr) => tr.cells[0].textContent === id && tr.cells[2].textContent === 'cancelled'), runId, { timeout: 20000 });
  findings.cancelled = {
    id: runId, statusBefore, statusAfter: await runRow.locator('td').nth(1).textContent(),
    progress: await runRow.locator('td').nth(2).textContent(), cancelButtons: await runRow.getByRole('button').count(),
  };
  assert.equal(findings.cancelled.cancelButtons, 0, 'a cancelled run has no Cancel button');
  await shot(page, 'batch');

  // No markup from the host ran: nothing set window.__xss, and the page holds only its own script.
  const xss = await page.evaluate(() => ({ flag: typeof window.__xss, scripts: document.scripts.length }));
  assert.deepEqual(xss, { flag: 'undefined', scripts: 1 }, 'no markup from names or log lines executed');

  // CSRF: a state-changing call with the session cookie but without the page's token is refused.
  const noToken = await context.request.post(`${origin}/ui/api/signout`);
  assert.equal(noToken.status(), 403, 'sign-out without the CSRF token');
  const wrongToken = await context.request.delete(`${origin}/ui/api/host/batch/some-run`, { headers: { 'x-veil-csrf': 'guess' } });
  assert.equal(wrongToken.status(), 403, 'cancel with a wrong CSRF token');
  const foreign = await context.request.post(`${origin}/ui/session`, { form: { key: args.key }, headers: { origin: 'http://evil.example' }, maxRedirects: 0 });
  assert.equal(foreign.status(), 403, 'sign-in from another origin');
  assert.equal((await context.request.get(`${origin}/ui/api/overview`)).status(), 200, 'still signed in');

  // Everything above ran in one session of --session-seconds: say how much of it was used.
  findings.signedInMs = Date.now() - signedInAt;

  // Sign out: the cookie goes, the API refuses, the form is back.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#signin').waitFor({ state: 'visible' });
  // the page shows the form first and then calls the host: wait for its answer to remove the cookie
  for (const deadline = Date.now() + 10000; (await context.cookies()).some((c) => c.name === 'veil_ui');) {
    assert.ok(Date.now() < deadline, 'cookie removed');
    await page.waitForTimeout(100);
  }
  assert.equal((await context.request.get(`${origin}/ui/api/overview`)).status(), 401, 'signed out');
  await shot(page, 'signed-out');

  // Session expiry: the idle profile's page notices by itself (its log stream ends) and shows the form.
  const left = idleSignedInAt + sessionMs - Date.now();
  await idle.page.locator('#signin').waitFor({ state: 'visible', timeout: Math.max(0, left) + 10000 });
  findings.expiredAfterMs = Date.now() - idleSignedInAt;
  assert.ok(findings.expiredAfterMs >= sessionMs - 1000, `expired too early: ${findings.expiredAfterMs} ms`);
  assert.equal((await idle.context.request.get(`${origin}/ui/api/overview`)).status(), 401, 'expired session refused');

  assert.deepEqual(offOrigin, [], 'no request left the host');
  assert.deepEqual(consoleErrors, [], 'no console errors');
  findings.userAgent = await page.evaluate(() => navigator.userAgent);
  console.log(JSON.stringify(findings));
} catch (e) {
  console.error(`dashboard check failed: ${e.stack || e.message}`);
  console.error(`console errors: ${JSON.stringify(consoleErrors)}; refused: ${JSON.stringify(offOrigin)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
