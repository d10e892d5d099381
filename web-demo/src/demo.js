// The demo page: keys, encryption and decryption run here, in the browser (in seal-worker.js, clients/js on
// node-seal's WebAssembly build); the host gets the public key bundle and ciphertexts only. Everything the server
// sends back is shown with textContent (never parsed as HTML). BREAST_CANCER_SAMPLES is filled in by build.mjs.
/* global BREAST_CANCER_SAMPLES */
import { fetchHeParams } from '../../clients/js/src/index.js';

// the demo's bundles go to their own container, easy to find and delete (nothing expires them)
const CONTAINER = 'veil-demo';
const HEX_PREVIEW_BYTES = 48;
const PAD = 280; // drawing canvas, 10 canvas pixels per MNIST pixel
const SIDE = 28;
const DIGIT_BOX = 20; // MNIST digits: the longer side scaled to 20 pixels, centred by centre of mass

const $ = (id) => document.getElementById(id);

// ---- the worker that holds the keys ----

let worker;
let nextCall = 0;
const calls = new Map(); // call id -> { resolve, reject }

function sealWorker() {
  if (!worker) {
    worker = new Worker('seal-worker.js', { type: 'module' });
    worker.addEventListener('message', ({ data }) => {
      const call = calls.get(data.id);
      calls.delete(data.id);
      if (data.error !== undefined) call.reject(new Error(data.error));
      else call.resolve(data.result);
    });
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      for (const call of calls.values()) call.reject(new Error(`the encryption worker failed: ${e.message || 'it did not start'}`));
      calls.clear();
      worker = null;
    });
  }
  return worker;
}

/** Runs one operation of seal-worker.js: keys, encrypt or decrypt. */
function inWorker(op, args) {
  const w = sealWorker();
  return new Promise((resolve, reject) => {
    const id = nextCall++;
    calls.set(id, { resolve, reject });
    w.postMessage({ id, op, args });
  });
}

const sessions = new Map(); // function name -> { bundle, keyId, uploadedWith }

function randomHex(bytes) {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function accessKey() {
  const key = $('access-key').value.trim();
  if (!key) {
    $('access-key').focus();
    throw new Error('enter the host key first (the encrypted functions need one)');
  }
  return key;
}

async function responseText(res) {
  const text = await res.text();
  try {
    const json = JSON.parse(text);
    return typeof json.error === 'string' ? json.error : text;
  } catch {
    return text;
  }
}

/** The function's client (keys made once per page) with its key bundle uploaded under the current key. */
async function session(fn, key, say) {
  let s = sessions.get(fn);
  if (!s) {
    say(`Fetching the encryption parameters of ${fn}…`);
    const heParams = await fetchHeParams('', fn);
    // the smallest parameter set: the quickest key generation in a browser
    const set = heParams.parameter_sets.reduce((a, b) => (b.poly_modulus_degree < a.poly_modulus_degree ? b : a));
    say(`Generating a key pair in this browser with Microsoft SEAL (N = ${set.poly_modulus_degree}; a few seconds)…`);
    const bundle = await inWorker('keys', { heParams, parameterSet: set.name });
    s = { bundle, keyId: `demo-${randomHex(12)}`, uploadedWith: null };
    sessions.set(fn, s);
  }
  if (s.uploadedWith !== key) {
    say(`Uploading the public key bundle (${s.bundle.bytes.length.toLocaleString('en')} bytes, no secret key)…`);
    const res = await fetch(`/api/${fn}/keys/${encodeURIComponent(s.keyId)}?container=${CONTAINER}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'x-functions-key': key },
      body: s.bundle.bytes,
    });
    if (!res.ok) throw new Error(`key upload refused (HTTP ${res.status}): ${await responseText(res)}`);
    s.uploadedWith = key;
  }
  return s;
}

function hex(bytes, count) {
  const shown = Array.from(bytes.subarray(0, count), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > count ? `${shown} …` : shown;
}

function softmax(scores) {
  const max = Math.max(...scores);
  const e = scores.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(name, attributes, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A horizontal bar chart of probabilities, labelled per bar; its text alternative lists every value. */
function barChart(labels, probabilities, top, title) {
  const rowHeight = 22;
  const labelWidth = 90;
  const barWidth = 360;
  const height = labels.length * rowHeight + 8;
  const chart = svg('svg', {
    class: 'chart', width: labelWidth + barWidth + 70, height, viewBox: `0 0 ${labelWidth + barWidth + 70} ${height}`,
    role: 'img',
  });
  const description = labels.map((l, i) => `${l}: ${(100 * probabilities[i]).toFixed(1)}%`).join(', ');
  chart.setAttribute('aria-label', `${title}. ${description}`);
  labels.forEach((label, i) => {
    const y = 4 + i * rowHeight;
    chart.append(svg('text', { x: labelWidth - 8, y: y + 15, 'text-anchor': 'end' }, label));
    chart.append(svg('rect', {
      class: i === top ? 'bar top' : 'bar', x: labelWidth, y: y + 2, height: rowHeight - 6,
      width: Math.max(1, probabilities[i] * barWidth),
    }));
    chart.append(svg('text', { x: labelWidth + probabilities[i] * barWidth + 6, y: y + 15 },
      `${(100 * probabilities[i]).toFixed(1)}%`));
  });
  return chart;
}

/**
 * Encrypts `sample`, sends it to `fn`, decrypts the reply and shows what went over the wire and the scores.
 * `labels` name the classes; returns nothing (the page shows the result or the error).
 */
async function predict(fn, sample, labels, prefix) {
  const status = $(`${prefix}-status`);
  const button = $(`${prefix}-run`);
  const say = (text) => { status.textContent = text; status.classList.remove('error'); };
  button.disabled = true;
  try {
    const key = accessKey();
    const { bundle, keyId } = await session(fn, key, say);
    say('Encrypting in this browser…');
    const ciphertext = await inWorker('encrypt', { fn, sample });
    say(`Sending ${ciphertext.length.toLocaleString('en')} bytes of ciphertext; the host computes on them…`);
    const query = new URLSearchParams({ key_id: keyId, container: CONTAINER, key_fingerprint: bundle.fingerprint });
    const res = await fetch(`/api/${fn}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-functions-key': key },
      body: ciphertext,
    });
    if (!res.ok) throw new Error(`${fn} refused the ciphertext (HTTP ${res.status}): ${await responseText(res)}`);
    const reply = new Uint8Array(await res.arrayBuffer());
    const scores = await inWorker('decrypt', { fn, bytes: reply });
    const probabilities = softmax(scores);
    const top = probabilities.indexOf(Math.max(...probabilities));

    const result = $(`${prefix}-result`);
    if (!result.firstElementChild) result.append($('result-template').content.cloneNode(true));
    const field = (name) => result.querySelector(`[data-field="${name}"]`);
    field('bundle').textContent = `${bundle.bytes.length.toLocaleString('en')} bytes (public keys only), key id ${keyId}`;
    field('size').textContent = `${ciphertext.length.toLocaleString('en')} bytes`;
    field('hex').textContent = hex(ciphertext, HEX_PREVIEW_BYTES);
    field('reply').textContent = `${reply.length.toLocaleString('en')} bytes, decrypted here`;
    field('label').textContent = labels[top];
    field('label').dataset.class = String(top);
    field('caption').textContent = 'Softmax of the decrypted scores, per class (only this page could decrypt them).';
    field('chart').replaceChildren(barChart(labels, probabilities, top, `Prediction ${labels[top]}`));
    result.dataset.scores = JSON.stringify(scores);
    result.dataset.runs = String(Number(result.dataset.runs || 0) + 1);
    result.hidden = false;
    say(`Done: ${labels[top]}.`);
  } catch (e) {
    status.textContent = `Failed: ${e.message}`;
    status.classList.add('error');
  } finally {
    button.disabled = false;
  }
}

// ---- the digit pad ----

function setUpPad() {
  const pad = $('pad');
  const ctx = pad.getContext('2d', { willReadFrequently: true });
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, PAD, PAD);
    renderPreview(new Float64Array(SIDE * SIDE));
  };
  let last = null;
  const point = (e) => {
    const r = pad.getBoundingClientRect();
    return [(e.clientX - r.left) * (PAD / r.width), (e.clientY - r.top) * (PAD / r.height)];
  };
  pad.addEventListener('pointerdown', (e) => {
    pad.setPointerCapture(e.pointerId);
    last = point(e);
    stroke(ctx, last, last);
  });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = point(e);
    stroke(ctx, last, p);
    last = p;
  });
  const end = () => {
    if (last) renderPreview(digitPixels(ctx));
    last = null;
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  $('mnist-clear').addEventListener('click', clear);
  // samples/digit-N.png (28×28, served beside the page), scaled up without smoothing: the pixels as drawn
  $('mnist-draw-sample').addEventListener('click', () => {
    const image = new Image();
    image.addEventListener('load', () => {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(image, 0, 0, PAD, PAD);
      renderPreview(digitPixels(ctx));
    });
    image.src = `digit-${$('mnist-sample').value}.png`;
  });
  $('mnist-run').addEventListener('click', () => {
    const pixels = digitPixels(ctx);
    renderPreview(pixels);
    if (!pixels.some((v) => v > 0)) {
      $('mnist-status').textContent = 'Draw a digit first.';
      return;
    }
    predict('encrypted-mnist', Array.from(pixels), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], 'mnist');
  });
  clear();
}

function stroke(ctx, from, to) {
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 22;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(from[0], from[1]);
  ctx.lineTo(to[0], to[1]);
  ctx.stroke();
}

/**
 * The drawing as the MNIST model expects it: 28×28 values in [0, 1] (white ink on black), the digit's longer
 * side scaled to 20 pixels and its centre of mass in the centre, each output pixel the mean of 4×4 samples.
 */
function digitPixels(ctx) {
  const rgba = ctx.getImageData(0, 0, PAD, PAD).data;
  const ink = new Float64Array(PAD * PAD);
  let x0 = PAD; let y0 = PAD; let x1 = -1; let y1 = -1; let mass = 0; let mx = 0; let my = 0;
  for (let y = 0; y < PAD; y++) {
    for (let x = 0; x < PAD; x++) {
      const v = rgba[4 * (y * PAD + x)] / 255;
      if (v <= 0) continue;
      ink[y * PAD + x] = v;
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
      mass += v; mx += v * x; my += v * y;
    }
  }
  const out = new Float64Array(SIDE * SIDE);
  if (mass === 0) return out;
  const scale = DIGIT_BOX / Math.max(x1 - x0 + 1, y1 - y0 + 1); // source pixels -> output pixels
  // output coordinate u (in output pixels) maps to source x = cx + (u - 14) / scale
  const cx = mx / mass + 0.5; const cy = my / mass + 0.5;
  const S = 4;
  for (let i = 0; i < SIDE; i++) {
    for (let j = 0; j < SIDE; j++) {
      let sum = 0;
      for (let a = 0; a < S; a++) {
        for (let b = 0; b < S; b++) {
          const sx = Math.floor(cx + (j + (b + 0.5) / S - SIDE / 2) / scale);
          const sy = Math.floor(cy + (i + (a + 0.5) / S - SIDE / 2) / scale);
          if (sx >= 0 && sx < PAD && sy >= 0 && sy < PAD) sum += ink[sy * PAD + sx];
        }
      }
      out[i * SIDE + j] = sum / (S * S);
    }
  }
  return out;
}

function renderPreview(pixels) {
  const ctx = $('preview').getContext('2d');
  const image = ctx.createImageData(SIDE, SIDE);
  pixels.forEach((v, k) => {
    const g = Math.round(255 * v);
    image.data.set([g, g, g, 255], 4 * k);
  });
  ctx.putImageData(image, 0, 0);
}

// ---- the breast-cancer form ----

function setUpBreastCancer() {
  const { features, rows } = BREAST_CANCER_SAMPLES;
  const select = $('bc-row');
  rows.forEach((row, i) => {
    const diagnosis = row.diagnosis === 'M' ? 'malignant' : row.diagnosis === 'B' ? 'benign' : row.diagnosis;
    select.append(new Option(`${row.id} (diagnosed ${diagnosis})`, String(i)));
  });
  const inputs = features.map((name, k) => {
    const id = `bc-f${k}`;
    const wrapper = document.createElement('p');
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = name.replaceAll('_', ' ');
    const input = document.createElement('input');
    Object.assign(input, { id, type: 'number', step: 'any', required: true, name });
    wrapper.append(label, input);
    $('bc-fields').append(wrapper);
    return input;
  });
  const fill = () => rows[Number(select.value)].values.forEach((v, k) => { inputs[k].value = String(v); });
  select.addEventListener('change', fill);
  fill();
  $('bc-form').addEventListener('submit', (e) => {
    e.preventDefault();
    predict('encrypted-breast-cancer', inputs.map((i) => Number(i.value)), ['benign', 'malignant'], 'bc');
  });
}

setUpPad();
setUpBreastCancer();
