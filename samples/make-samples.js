#!/usr/bin/env node
// Regenerates the sample digits and the breast-cancer CSV in this folder from the committed training data:
//   node samples/make-samples.js            (after scripts/setup.sh, which installs clients/js's pngjs)
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { PNG } = require('../clients/js/node_modules/pngjs');

const root = path.join(__dirname, '..');
const data = path.join(root, 'functions', 'training', 'data');
const images = zlib.gunzipSync(fs.readFileSync(path.join(data, 'mnist-10k-images-idx3-ubyte.gz')));
const labels = zlib.gunzipSync(fs.readFileSync(path.join(data, 'mnist-10k-labels-idx1-ubyte.gz')));

// idx files: images start after a 16-byte header (magic, count, rows, cols), labels after 8 bytes.
for (const digit of [2, 5, 7]) {
  let index = 8000; // the first image of this digit in the test split (the last 2,000; the models never saw them)
  while (labels[8 + index] !== digit) index++;
  const png = new PNG({ width: 28, height: 28, colorType: 0, inputColorType: 0, bitDepth: 8 });
  for (let i = 0; i < 28 * 28; i++) {
    const v = images[16 + index * 784 + i];
    png.data.set([v, v, v, 255], i * 4);
  }
  const name = `digit-${digit}.png`;
  fs.writeFileSync(path.join(__dirname, name), PNG.sync.write(png, { colorType: 0 }));
  console.log(`${name}: image ${index} of mnist-10k-images-idx3-ubyte.gz`);
}

// The first three malignant and first two benign rows of wdbc.csv with an id column in front (the id is the row's
// number in wdbc.csv): batch scoring and veil-he skip the id and diagnosis columns.
const rows = fs.readFileSync(path.join(data, 'wdbc.csv'), 'utf8').split('\n').filter((l) => l.trim() !== '');
const picked = [];
for (const [diagnosis, count] of [['M', 3], ['B', 2]]) {
  for (let r = 1, n = 0; r < rows.length && n < count; r++) {
    if (rows[r].endsWith(`,${diagnosis}`)) { picked.push(r); n++; }
  }
}
const csv = [`id,${rows[0]}`, ...picked.map((r) => `wdbc-${r},${rows[r]}`)];
fs.writeFileSync(path.join(__dirname, 'breast-cancer.csv'), `${csv.join('\n')}\n`);
console.log(`breast-cancer.csv: rows ${picked.join(', ')} of wdbc.csv`);
