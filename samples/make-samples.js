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

// Five rows of wdbc.csv with an id column in front: batch scoring and veil-he skip id and diagnosis.
const rows = fs.readFileSync(path.join(data, 'wdbc.csv'), 'utf8').split('\n').filter((l) => l.trim() !== '');
const csv = [`id,${rows[0]}`, ...rows.slice(1, 6).map((row, i) => `patient-${i + 1},${row}`)];
fs.writeFileSync(path.join(__dirname, 'breast-cancer.csv'), `${csv.join('\n')}\n`);
console.log('breast-cancer.csv: rows 1-5 of wdbc.csv');
