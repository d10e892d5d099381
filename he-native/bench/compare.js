// Runs node-seal on the benchmark's operations (through the test harness) and prints one table with our
// engine's medians (veilhe_bench output), node-seal's, SEAL 4.1.2 native reference figures, and ratios.
// Usage: node compare.js <veilhe_bench output file> <iterations> <work dir>
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const readline = require('readline');

const [veilFile, iterationsArg, workDir] = process.argv.slice(2);
const iterations = Number(iterationsArg || 20);

const sets = [
  { name: 'N=8192 [60,40,40,60]', n: 8192, bits: [60, 40, 40, 60], scaleBits: 40 },
  { name: 'N=16384 [60,40x7,60]', n: 16384, bits: [60, 40, 40, 40, 40, 40, 40, 40, 60], scaleBits: 40 },
];
// SEAL 4.1.2 native (g++ Release, no HEXL) on this machine kind, microseconds (issue 3).
const sealNative = {
  8192: { ntt_forward: 92, rotate_one: 2800, relinearize: 3100, multiply_plain: 140, rescale: 590 },
  16384: { ntt_forward: 190, rotate_one: 18200, relinearize: 19900, multiply_plain: 740, rescale: 2800 },
};
const ops = ['ntt_forward', 'ntt_inverse', 'multiply_plain', 'relinearize', 'multiply_relinearize', 'rescale',
  'rotate_one', 'rotate_16_hoisted'];

// veilhe_bench prints one line per measurement: "<n> <op> <median microseconds>" (other lines ignored).
function readVeil(file) {
  const out = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = line.trim().match(/^(\d+)\s+([a-z_0-9]+)\s+([0-9.]+)$/);
    if (m) (out[m[1]] = out[m[1]] || {})[m[2]] = Number(m[3]);
  }
  return out;
}

function harness() {
  const child = spawn('node', [path.join(__dirname, '../src/test/node/seal-harness.js'), workDir],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let id = 0;
  return {
    async call(cmd, args) {
      child.stdin.write(JSON.stringify({ id: ++id, cmd, ...args }) + '\n');
      let answer = JSON.parse((await lines.next()).value);
      while (answer.ready) answer = JSON.parse((await lines.next()).value);
      if (!answer.ok) throw new Error(`${cmd}: ${answer.error}`);
      return answer;
    },
    close() { child.stdin.end(JSON.stringify({ cmd: 'quit' }) + '\n'); },
  };
}

function fmt(v) { return v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1); }
function ratio(a, b) { return a === undefined || b === undefined ? '-' : (a / b).toFixed(2); }

async function main() {
  const veil = readVeil(veilFile);
  const seal = harness();
  const steps = Array.from({ length: 16 }, (_, i) => i + 1);
  console.log('median microseconds; ratio < 1 means ours is faster');
  console.log(['set', 'operation', 'veil', 'node-seal', 'SEAL native', 'veil/node-seal', 'veil/SEAL native']
    .map((s, i) => s.padEnd(i < 2 ? 22 : 17)).join(''));
  for (const set of sets) {
    await seal.call('context', { ctx: 'b', n: set.n, bits: set.bits });
    await seal.call('keygen', { ctx: 'b', steps, forms: 'unsaved' });
    const node = (await seal.call('bench', { ctx: 'b', iterations, scale: 2 ** set.scaleBits })).micros;
    // node-seal has no hoisting: its 16-rotation batch is 16 independent rotations.
    node.rotate_16_hoisted = node.rotate_16_batch;
    const ours = veil[set.n] || {};
    for (const op of ops) {
      const ref = (sealNative[set.n] || {})[op];
      console.log([set.name, op, fmt(ours[op]), fmt(node[op]), fmt(ref), ratio(ours[op], node[op]), ratio(ours[op], ref)]
        .map((s, i) => String(s).padEnd(i < 2 ? 22 : 17)).join(''));
    }
  }
  seal.close();
}

main().catch((e) => { console.error(e); process.exit(1); });
