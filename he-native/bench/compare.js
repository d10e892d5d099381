// Runs node-seal on the benchmark's operations (through the test harness) and prints one table with our
// engine's medians (veilhe_bench output), node-seal's, SEAL 4.1.2 native reference figures, and ratios.
// Usage: node compare.js <veilhe_bench output file> <iterations> <work dir>
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const readline = require('readline');

const [veilFile, repsArg, workDir] = process.argv.slice(2);
const reps = Number(repsArg || 1);
const nodeIterations = Math.max(5, Math.round(10 * reps));

const sets = [
  { key: 'N8192:43,43,44,44,44', n: 8192, bits: [43, 43, 44, 44, 44], scaleBits: 40 },
  { key: 'N16384:48,48,48,49,49,49,49,49,49', n: 16384, bits: [48, 48, 48, 49, 49, 49, 49, 49, 49], scaleBits: 40 },
  { key: 'N8192:60,40,40,60', n: 8192, bits: [60, 40, 40, 60], scaleBits: 40 },
  { key: 'N16384:40,30,30,30,30,30,30,40', n: 16384, bits: [40, 30, 30, 30, 30, 30, 30, 40], scaleBits: 30 },
  { key: 'N16384:60,40,40,40,40,40,40,40,60', n: 16384, bits: [60, 40, 40, 40, 40, 40, 40, 40, 60], scaleBits: 40 },
];
// SEAL 4.1.2 native (g++ Release, no HEXL) on this machine kind, microseconds (issue 3; measured there
// with log q = 218 for N=8192 and 438 for N=16384).
const sealNative = {
  8192: { ntt_forward: 92, rotate_1: 2800, relinearize: 3100, multiply_plain: 140, rescale: 590 },
  16384: { ntt_forward: 190, rotate_1: 18200, relinearize: 19900, multiply_plain: 740, rescale: 2800 },
};
// Rows: [label, our op name in veilhe_bench's output, node-seal op name].
const rows = [
  ['ntt_forward (1 prime)', 'ntt_forward_q1', 'ntt_forward'],
  ['ntt_inverse (1 prime)', 'ntt_inverse_q1', 'ntt_inverse'],
  ['multiply_plain', 'multiply_plain', 'multiply_plain'],
  ['relinearize', 'relinearize', 'relinearize'],
  ['multiply+relinearize', 'multiply_relinearize', 'multiply_relinearize'],
  ['rescale', 'rescale', 'rescale'],
  ['rotate 1', 'rotate_1', 'rotate_one'],
  ['16 rotations hoisted', 'rotate_hoisted_16', 'rotate_16_batch'],
];
const nativeKey = { 'ntt_forward (1 prime)': 'ntt_forward', multiply_plain: 'multiply_plain', relinearize: 'relinearize',
  rescale: 'rescale', 'rotate 1': 'rotate_1' };

// veilhe_bench prints one JSON object per line: {"set","op","median_us","ifma"}. NTT ops carry a
// suffix naming the prime (e.g. ntt_forward_q1_40bit); they are matched by prefix.
function readVeil(file) {
  const out = {};
  let ifma = false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line);
    ifma = ifma || r.ifma;
    const op = r.op.startsWith('ntt_') ? r.op.replace(/_\d+bit$/, '') : r.op;
    (out[r.set] = out[r.set] || {})[op] = r.median_us;
  }
  return { ops: out, ifma };
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
  console.log(`median microseconds (ours with AVX-512 IFMA: ${veil.ifma}); node-seal ${nodeIterations} iterations;`
    + ' ratio < 1 means ours is faster');
  const widths = [34, 26, 11, 11, 12, 15, 15];
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('');
  console.log(line(['set', 'operation', 'veil', 'node-seal', 'SEAL native', 'veil/node-seal', 'veil/SEAL native']));
  for (const set of sets) {
    await seal.call('context', { ctx: 'b', n: set.n, bits: set.bits });
    await seal.call('keygen', { ctx: 'b', steps, forms: 'unsaved' });
    const node = (await seal.call('bench', { ctx: 'b', iterations: nodeIterations, scale: 2 ** set.scaleBits })).micros;
    const ours = veil.ops[set.key] || {};
    for (const [label, ourOp, nodeOp] of rows) {
      const ref = nativeKey[label] ? sealNative[set.n][nativeKey[label]] : undefined;
      console.log(line([set.key, label, fmt(ours[ourOp]), fmt(node[nodeOp]), fmt(ref), ratio(ours[ourOp], node[nodeOp]),
        ratio(ours[ourOp], ref)]));
    }
  }
  seal.close();
}

main().catch((e) => { console.error(e); process.exit(1); });
