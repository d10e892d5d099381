// Round trip through real node-seal without a server: layout, standardization, bundle container, fingerprint.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const SEAL = require('node-seal');
const { VeilHeClient, encodeBundle, sha256Hex } = require('../src/index');

const { heParams } = require('../testdata/he-params');

test('encrypt then decrypt returns the standardized, packed samples', async () => {
  const seal = await SEAL();
  const client = new VeilHeClient(seal, heParams);
  assert.strictEqual(client.samplesPerCiphertext, 256);
  const samples = [[1, 2, 3], [3, 4, 5], [-1, 0, 1]];
  const scores = client.decrypt(client.encrypt(samples), samples.length);
  const expected = [[0, 0, 0], [1, 1, 1], [-1, -1, -1]];
  scores.forEach((row, s) => row.forEach((v, k) => assert.ok(Math.abs(v - expected[s][k]) < 1e-4, `${s},${k}: ${v}`)));
  // the layout repeats the padded sample across its window
  const slots = client.pack([[1, 2, 3]]);
  assert.deepStrictEqual(Array.from(slots.subarray(0, 8)), [0, 0, 0, 0, 0, 0, 0, 0]);
  const other = client.pack([[3, 4, 5]]);
  assert.deepStrictEqual(Array.from(other.subarray(0, 9)), [1, 1, 1, 0, 1, 1, 1, 0, 1]);
  assert.strictEqual(other[16], 0);
  assert.throws(() => client.pack([[1, 2]]), /expects 3/);
  client.delete();
});

test('key bundle: VEILKEYS container with exactly the requested Galois steps, restorable secret key', async () => {
  const seal = await SEAL();
  const client = new VeilHeClient(seal, heParams);
  const bundle = await client.keyBundle();
  const b = bundle.bytes;
  assert.strictEqual(String.fromCharCode(...b.subarray(0, 8)), 'VEILKEYS');
  assert.strictEqual(b[8], 1);
  assert.strictEqual(b[9], 3);
  const view = new DataView(b.buffer, b.byteOffset);
  let at = 10;
  const sections = {};
  for (let i = 0; i < 3; i++) {
    const len = view.getUint32(at + 1, true);
    sections[b[at]] = b.subarray(at + 5, at + 5 + len);
    at += 5 + len;
  }
  assert.strictEqual(at, b.length);
  assert.strictEqual(bundle.fingerprint, await sha256Hex(sections[2]));
  const galois = seal.GaloisKeys();
  galois.loadArray(client.context, sections[2]);
  assert.strictEqual(galois.size, 3);
  galois.delete();
  assert.ok(bundle.sizes.galois_keys > 0 && bundle.sizes.total === b.length);

  // a restored client decrypts what the first encrypted
  const restored = new VeilHeClient(seal, heParams, { secretKey: client.secretKeyBytes() });
  const [[x]] = restored.decrypt(client.encrypt([[5, 2, 3]]), 1);
  assert.ok(Math.abs(x - 2) < 1e-4);
  restored.delete();
  client.delete();
  assert.deepStrictEqual(Array.from(encodeBundle({ parameters: Uint8Array.of(7), galoisKeys: Uint8Array.of(8, 9) })),
    [86, 69, 73, 76, 75, 69, 89, 83, 1, 2, 1, 1, 0, 0, 0, 7, 2, 2, 0, 0, 0, 8, 9]);
});
