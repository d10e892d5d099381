// Bundles the dashboard page for the jar: src/main/web/app.js with uPlot (script and styles) into
// OUT/app.js and OUT/app.css, and copies index.html. Maven runs it (generate-resources); run by hand:
//   node build.mjs target/classes/dev/veil/dashboard/ui
// Installs the pinned packages first (npm ci) when node_modules is missing, as on a fresh clone.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) throw new Error('usage: node build.mjs OUTPUT_DIRECTORY');
if (!existsSync(join(here, 'node_modules', 'esbuild')) || !existsSync(join(here, 'node_modules', 'uplot'))) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit' });
}
const { build } = await import('esbuild');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src/main/web/app.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  outdir: out,
  logLevel: 'warning',
  legalComments: 'eof', // uPlot's MIT notice stays in the bundle
});
copyFileSync(join(here, 'src/main/web/index.html'), join(out, 'index.html'));
