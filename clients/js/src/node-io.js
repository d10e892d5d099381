// Node-only helpers for the CLI: key-bundle upload (Azure Blob Storage / Azurite, or a local directory
// acting as the host's embedded key store), and reading inputs (PNG digits, CSV rows, JSON arrays).
'use strict';

const fs = require('fs');
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

/** The host's embedded key store: <dir>/<container>/<key_id>, replaced atomically. */
function writeToKeyDir(dir, container, keyId, bytes) {
  const folder = path.join(dir, container);
  fs.mkdirSync(folder, { recursive: true });
  const tmp = path.join(folder, `.upload-${process.pid}-${Date.now()}.tmp`);
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, path.join(folder, keyId));
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

/** Numeric values of one CSV data row (row 0 = first line after a header, when the first line is not numeric). */
function readCsvRow(file, row, features) {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const numeric = (l) => l.split(',').every((c) => c.trim() !== '' && !Number.isNaN(Number(c)));
  const data = numeric(lines[0]) ? lines : lines.slice(1);
  if (row < 0 || row >= data.length) throw new Error(`${file} has ${data.length} data rows; row ${row} does not exist`);
  const cells = data[row].split(',').map(Number).filter((v) => !Number.isNaN(v));
  // Rows may carry an id and a label around the features: take the last `features` numeric cells.
  if (cells.length < features) throw new Error(`row ${row} has ${cells.length} numbers; ${features} features expected`);
  return cells.slice(cells.length - features);
}

module.exports = { uploadToBlob, writeToKeyDir, readPngDigit, readCsvRow };
