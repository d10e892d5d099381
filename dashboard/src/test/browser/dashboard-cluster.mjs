#!/usr/bin/env node
// The dashboard's Cluster page in headless Chromium (playwright-core), against a clustered host, for
// DashboardClusterBrowserTest: signs in, opens the Cluster page, waits until it lists --members
// members whose in-flight figures add up to --in-flight, and prints one JSON line with what the
// page shows. Requests off the host's origin are refused; they and console errors fail the check.
//
//   node dashboard-cluster.mjs --url http://127.0.0.1:PORT --key MASTER_KEY --members 2 --in-flight 5 \
//       --shot target/screenshots/cluster-members.png
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { openBrowser, signIn } from './browser.mjs';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' }, key: { type: 'string' }, members: { type: 'string' },
    'in-flight': { type: 'string' }, shot: { type: 'string' },
  },
});
for (const a of ['url', 'key', 'members', 'in-flight', 'shot']) {
  if (!args[a]) throw new Error(`--${a} is required`);
}
const origin = new URL(args.url).origin;
const { browser, profile, offOrigin, consoleErrors } = await openBrowser(origin);
try {
  const { page } = await profile();
  page.on('response', (r) => { if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()} for ${r.url()}`); });
  await signIn(page, origin, args.key);
  await page.click('a[href="#cluster"]');
  await page.locator('#cluster').waitFor({ state: 'visible' });

  // The page refreshes by itself: wait for every member with the held invocations in flight.
  const shown = () => ({
    state: document.getElementById('cluster-state').textContent,
    rows: [...document.querySelectorAll('#cluster-rows tr')].map((tr) => [...tr.cells].map((c) => c.textContent)),
    refused: [...document.querySelectorAll('#cluster-refused li')].map((li) => li.textContent),
    batch: document.getElementById('batch-state').textContent,
  });
  const want = { members: Number(args.members), inFlight: Number(args['in-flight']) };
  const enough = (s) => s.rows.length === want.members
    && s.rows.reduce((sum, r) => sum + (Number(r[2]) || 0), 0) === want.inFlight;
  let found = await page.evaluate(shown);
  for (const deadline = Date.now() + 30000; !enough(found);) {
    assert.ok(Date.now() < deadline, `cluster page: still ${JSON.stringify(found)}`);
    await page.waitForTimeout(250);
    found = await page.evaluate(shown);
  }
  mkdirSync(dirname(args.shot), { recursive: true });
  await page.screenshot({ path: args.shot, fullPage: true });

  assert.deepEqual(offOrigin, [], 'no request left the host');
  assert.deepEqual(consoleErrors, [], 'no console errors');
  console.log(JSON.stringify(found));
} catch (e) {
  console.error(`cluster check failed: ${e.stack || e.message}`);
  console.error(`console errors: ${JSON.stringify(consoleErrors)}; refused: ${JSON.stringify(offOrigin)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
