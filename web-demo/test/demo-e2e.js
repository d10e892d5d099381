#!/usr/bin/env node
// The demo page in headless Chromium (Debian's /usr/bin/chromium, or VEIL_CHROMIUM, driven by playwright-core)
// against a running Veil host, for WebDemoBrowserTest: draws a digit pixel by pixel onto the canvas, picks a
// breast-cancer row with the keyboard, and reports what the page showed and what went over the wire. Requests
// to anything but the host are refused and reported. Screenshots go to --screenshots.
//
//   VEIL_FUNCTION_KEY=... node test/demo-e2e.js --url http://127.0.0.1:PORT --input job.json --screenshots DIR
//   job.json: {"digit": [784 values in [0, 1]], "row": index of the breast-cancer row to pick}
//   prints one JSON line (the last line of its output)
'use strict';

const fs = require('fs');
const path = require('path');
const { parseArgs } = require('util');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.VEIL_CHROMIUM || '/usr/bin/chromium';

async function main() {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, input: { type: 'string' }, screenshots: { type: 'string' } },
  });
  for (const name of ['url', 'input', 'screenshots']) if (!values[name]) throw new Error(`--${name} is required`);
  const key = process.env.VEIL_FUNCTION_KEY;
  if (!key) throw new Error('VEIL_FUNCTION_KEY is required');
  const job = JSON.parse(fs.readFileSync(values.input, 'utf8'));
  fs.mkdirSync(values.screenshots, { recursive: true });
  const shot = (page, name) => page.screenshot({ path: path.join(values.screenshots, name), fullPage: true });
  const origin = new URL(values.url).origin;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  // console errors by phase: while the wrong key is tried, Chromium itself logs the refused upload (401)
  const report = { consoleErrors: [], wrongKeyConsole: [], outside: [], requests: [] };
  let errors = report.consoleErrors;
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      report.outside.push(url);
      return route.abort();
    });
    page.on('request', (r) => {
      const body = r.postDataBuffer();
      report.requests.push({
        method: r.method(), url: r.url().slice(origin.length), contentType: r.headers()['content-type'] || null,
        bodyBytes: body ? body.length : 0, bodyBase64: body && r.method() === 'POST' ? body.toString('base64') : null,
      });
    });

    const response = await page.goto(`${origin}/demo`);
    report.page = { status: response.status(), url: page.url(), csp: response.headers()['content-security-policy'] };
    // form labels: every control has a label with text; buttons have text
    report.unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => ![...el.labels].some((l) => l.textContent.trim())).map((el) => el.id)
      .concat([...document.querySelectorAll('button')].filter((b) => !b.textContent.trim()).map((b) => b.id)));

    // keyboard: the first Tab reaches the key field; type into it
    await page.keyboard.press('Tab');
    report.firstFocus = await page.evaluate(() => document.activeElement.id);

    // a wrong key first: the page says why, as text, and keeps the keys it made for the retry
    errors = report.wrongKeyConsole;
    await page.keyboard.type('wrong-key-0123456789');
    const pad = await page.locator('#pad').boundingBox();
    await page.mouse.move(pad.x + 140, pad.y + 60);
    await page.mouse.down();
    await page.mouse.move(pad.x + 140, pad.y + 220, { steps: 8 });
    await page.mouse.up();
    report.strokeInk = await page.evaluate(() => {
      const d = document.getElementById('preview').getContext('2d').getImageData(0, 0, 28, 28).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) ink += d[i];
      return ink;
    });
    await page.click('#mnist-run');
    await page.waitForFunction(() => document.getElementById('mnist-status').classList.contains('error'), null,
      { timeout: 120000 });
    report.wrongKey = await page.textContent('#mnist-status');
    await shot(page, 'demo-wrong-key.png');
    errors = report.consoleErrors;
    await page.fill('#access-key', key);

    // clear with the keyboard, then draw the test digit pixel by pixel (each MNIST pixel a 10×10 square)
    await page.focus('#mnist-clear');
    await page.keyboard.press('Enter');
    report.clearedInk = await page.evaluate(() => {
      const d = document.getElementById('pad').getContext('2d').getImageData(0, 0, 280, 280).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) ink += d[i];
      return ink;
    });
    await page.evaluate((digit) => {
      const ctx = document.getElementById('pad').getContext('2d');
      digit.forEach((v, k) => {
        const g = Math.round(255 * v);
        ctx.fillStyle = `rgb(${g},${g},${g})`;
        ctx.fillRect((k % 28) * 10, Math.floor(k / 28) * 10, 10, 10);
      });
    }, job.digit);
    const started = Date.now();
    await page.click('#mnist-run');
    await page.waitForFunction(() => !document.getElementById('mnist-result').hidden
      || document.getElementById('mnist-status').classList.contains('error'), null, { timeout: 120000 });
    report.mnist = await readResult(page, 'mnist');
    report.mnist.seconds = (Date.now() - started) / 1000;
    report.mnist.preview = await previewPixels(page);
    await shot(page, 'demo-mnist.png');

    // without a mouse: Tab from the key field to the sample picker (digit 2), draw it, Tab to the button, Enter
    await page.focus('#access-key');
    await page.keyboard.press('Tab');
    report.sampleFocus = await page.evaluate(() => document.activeElement.id);
    await page.keyboard.press('Tab');
    // the preview still shows the digit of the first round: wait until the sample image has loaded and
    // replaced it (waiting for any ink let Run encrypt the old digit before the image arrived)
    const previewBefore = await page.evaluate(
      () => Array.from(document.getElementById('preview').getContext('2d').getImageData(0, 0, 28, 28).data).join(','));
    await page.keyboard.press('Enter');
    await page.waitForFunction((before) => {
      const d = document.getElementById('preview').getContext('2d').getImageData(0, 0, 28, 28).data;
      return d.some((v, i) => i % 4 === 0 && v > 0) && Array.from(d).join(',') !== before;
    }, previewBefore);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    report.runFocus = await page.evaluate(() => document.activeElement.id);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('mnist-result').dataset.runs === '2'
      || document.getElementById('mnist-status').classList.contains('error'), null, { timeout: 120000 });
    report.mnistSample = await readResult(page, 'mnist');
    report.mnistSample.preview = await previewPixels(page);

    // the breast-cancer form with the keyboard only: Tab to the row picker, arrow down to the row, Enter in a field
    await page.focus('#mnist-run');
    await page.keyboard.press('Tab');
    report.rowFocus = await page.evaluate(() => document.activeElement.id);
    for (let i = 0; i < job.row; i++) await page.keyboard.press('ArrowDown');
    report.rowChosen = await page.evaluate(() => document.getElementById('bc-row').selectedOptions[0].textContent);
    report.rowValues = await page.evaluate(() => [...document.querySelectorAll('#bc-fields input')].map((i) => Number(i.value)));
    await page.keyboard.press('Tab');
    report.fieldFocus = await page.evaluate(() => document.activeElement.id);
    const bcStarted = Date.now();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.getElementById('bc-result').hidden
      || document.getElementById('bc-status').classList.contains('error'), null, { timeout: 120000 });
    report.bc = await readResult(page, 'bc');
    report.bc.seconds = (Date.now() - bcStarted) / 1000;
    await shot(page, 'demo-breast-cancer.png');
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(report));
}

/** The 28×28 values the page encrypted, from its preview canvas. */
function previewPixels(page) {
  return page.evaluate(() => {
    const d = document.getElementById('preview').getContext('2d').getImageData(0, 0, 28, 28).data;
    const out = [];
    for (let i = 0; i < d.length; i += 4) out.push(d[i] / 255);
    return out;
  });
}

async function readResult(page, prefix) {
  return page.evaluate((p) => {
    const result = document.getElementById(`${p}-result`);
    const status = document.getElementById(`${p}-status`).textContent;
    if (result.hidden) return { status, shown: false };
    const field = (name) => result.querySelector(`[data-field="${name}"]`);
    return {
      status,
      shown: true,
      label: field('label').textContent,
      labelClass: field('label').dataset.class === undefined ? null : Number(field('label').dataset.class),
      size: field('size').textContent,
      hex: field('hex').textContent,
      scores: result.dataset.scores ? JSON.parse(result.dataset.scores) : null,
      bars: result.querySelectorAll('svg rect').length,
      chartLabel: result.querySelector('svg') ? result.querySelector('svg').getAttribute('aria-label') : null,
    };
  }, prefix);
}

main().catch((e) => {
  console.error(`demo e2e: ${e.stack || e.message}`);
  process.exit(1);
});
