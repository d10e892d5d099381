// Builds the demo page into OUT (Maven passes target/classes/dev/veil/webdemo/static): src/demo.js and
// src/seal-worker.js with the clients/js library and node-seal bundled by esbuild, node-seal's WebAssembly as
// its own file (fetched from the host, never a CDN), the static page and style, and from samples/ the
// breast-cancer rows and three digits.
//   node build.mjs OUT
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] || path.join(here, 'target/classes/dev/veil/webdemo/static'));
fs.mkdirSync(out, { recursive: true });

// samples/breast-cancer.csv: id, 30 features, diagnosis. The page offers these rows in its form.
function sampleRows() {
  const [header, ...lines] = fs.readFileSync(path.join(here, '..', 'samples', 'breast-cancer.csv'), 'utf8')
    .trim().split('\n').map((l) => l.trim().split(','));
  const features = header.slice(1, -1);
  if (features.length !== 30) throw new Error(`samples/breast-cancer.csv: expected 30 features, got ${features.length}`);
  return {
    features,
    rows: lines.map((cells) => ({ id: cells[0], diagnosis: cells[cells.length - 1], values: cells.slice(1, -1).map(Number) })),
  };
}

await build({
  entryPoints: [path.join(here, 'src', 'demo.js'), path.join(here, 'src', 'seal-worker.js')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'eof', // the bundled libraries' licence comments, if any, stay at the end (see LICENSES.txt)
  define: { BREAST_CANCER_SAMPLES: JSON.stringify(sampleRows()) },
  outdir: out,
  logLevel: 'warning',
});
const copies = {
  'index.html': path.join(here, 'src', 'index.html'),
  'demo.css': path.join(here, 'src', 'demo.css'),
  'seal.wasm': path.join(here, 'node_modules', 'node-seal', 'seal_throws_wasm_cf_worker.wasm'),
  'LICENSES.txt': path.join(here, 'LICENSES.txt'),
};
for (const d of [2, 5, 7]) copies[`digit-${d}.png`] = path.join(here, '..', 'samples', `digit-${d}.png`);
for (const [name, from] of Object.entries(copies)) fs.copyFileSync(from, path.join(out, name));
