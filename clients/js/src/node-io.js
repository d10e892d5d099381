// Node-only helpers for the CLI: key-bundle upload (through the host, or straight to Azure Blob Storage /
// Azurite), the per-user state folder, and reading inputs (PNG digits, CSV rows, JSON arrays).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { PNG } = require('pngjs');

/** Uploads to blob storage; the connection string comes from the caller (env var, never a log line). */
async function uploadToBlob(connectionString, container, keyId, bytes) {
  const { BlobServiceClient } = require('@azure/storage-blob');
  const service = BlobServiceClient.fromConnectionString(connectionString);
  const containerClient = service.getContainerClient(container);
  await containerClient.createIfNotExists();
  await containerClient.getBlockBlobClient(keyId).uploadData(bytes);
}

/** PUT <url>/api/<function>/keys/<key_id>: the host checks the bundle and stores it in its key storage. */
async function uploadToHost(url, fn, container, keyId, bytes, functionKey) {
  if (!functionKey) throw new Error('the upload needs the host or function key: --function-key KEY or env VEIL_FUNCTION_KEY');
  const target = `${url}/api/${encodeURIComponent(fn)}/keys/${encodeURIComponent(keyId)}?container=${encodeURIComponent(container)}`;
  const res = await fetch(target, {
    method: 'PUT', body: bytes,
    headers: { 'content-type': 'application/octet-stream', 'x-functions-key': functionKey },
  });
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try { message = JSON.parse(text).error || text; } catch { /* not JSON: show as is */ }
    throw new Error(`uploading the key bundle to ${url} failed (${res.status}): ${message}`);
  }
  return JSON.parse(text);
}

/** Where secret-key state lives by default: $XDG_CONFIG_HOME/veil, else ~/.config/veil (outside any repository). */
function stateDir() {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'veil');
}

function statePath(keyId) {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(keyId)) throw new Error(`key id '${keyId}' is not a plain name`);
  return path.join(stateDir(), `${keyId}.json`);
}

/** Writes the state (it holds the secret key) readable by its owner only; its folder too when we create it. */
function writeState(file, state) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 1), { mode: 0o600 });
  fs.chmodSync(tmp, 0o600); // an existing tmp or umask must not widen it
  fs.renameSync(tmp, file);
}

/** A 28×28 grayscale digit (white on black, as MNIST) as 784 values in [0, 1]. */
function readPngDigit(file) {
  const png = PNG.sync.read(fs.readFileSync(file));
  if (png.width !== 28 || png.height !== 28) throw new Error(`${file} is ${png.width}x${png.height}; MNIST digits are 28x28`);
  const pixels = [];
  for (let i = 0; i < 28 * 28; i++) {
    const [r, g, b] = png.data.subarray(i * 4, i * 4 + 3);
    pixels.push((0.299 * r + 0.587 * g + 0.114 * b) / 255);
  }
  return pixels;
}

/** Columns a CSV header may name that are not features (as Veil's batch scoring skips them). */
const NOT_FEATURES = new Set(['id', 'label', 'diagnosis', 'target', 'class', 'y']);

/**
 * The feature values of one CSV data row (row 0 = first line after a header, when the first line is not numeric):
 * columns the header names id/label/diagnosis/target/class/y are skipped; without a header, the last `features`
 * numeric cells are taken.
 */
function readCsvRow(file, row, features) {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const numeric = (l) => l.split(',').every((c) => c.trim() !== '' && !Number.isNaN(Number(c)));
  const header = numeric(lines[0]) ? null : lines[0].split(',').map((c) => c.trim().replace(/"/g, '').toLowerCase());
  const data = header ? lines.slice(1) : lines;
  if (row < 0 || row >= data.length) throw new Error(`${file} has ${data.length} data rows; row ${row} does not exist`);
  let cells = data[row].split(',');
  if (header) cells = cells.filter((_, i) => !NOT_FEATURES.has(header[i]));
  const values = cells.map(Number).filter((v) => !Number.isNaN(v));
  if (values.length < features) throw new Error(`row ${row} has ${values.length} numbers; ${features} features expected`);
  return values.slice(values.length - features);
}

module.exports = { uploadToBlob, uploadToHost, stateDir, statePath, writeState, readPngDigit, readCsvRow };
