// The secure-serving client's ring arithmetic, without a server (the end-to-end run is SmpcServingTest in functions).
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { encode, decode, split, reconstruct, wordsToBase64, base64ToWords, randomWords } = require('../src/smpc');

test('fixed-point values survive splitting and reconstruction, negatives included', () => {
  const values = [0, 1, -1, 0.5, -123.456, 1e-4, 3000.25];
  const words = BigUint64Array.from(values, (v) => encode(v, 16));
  const [s0, s1] = split(words);
  const back = reconstruct(s0, s1);
  values.forEach((v, i) => assert.ok(Math.abs(decode(back[i], 16) - v) <= 2 ** -17, `${v}`));
  // a share alone is not the value
  values.forEach((v, i) => assert.notStrictEqual(s0[i], words[i]));
});

test('wire format: little-endian 64-bit words in base64, as the Java parties read them', () => {
  const words = BigUint64Array.from([1n, 2n ** 64n - 1n, 0x0102030405060708n]);
  const text = wordsToBase64(words);
  assert.strictEqual(Buffer.from(text, 'base64').toString('hex'),
    '0100000000000000' + 'ffffffffffffffff' + '0807060504030201');
  assert.deepStrictEqual(Array.from(base64ToWords(text)), Array.from(words));
  assert.throws(() => base64ToWords(Buffer.from([1, 2, 3]).toString('base64')), /multiple of 8/);
});

test('random words are uniform enough: every byte value appears, no two words equal', () => {
  const words = randomWords(4096);
  const bytes = new Uint8Array(words.buffer);
  const counts = new Array(256).fill(0);
  bytes.forEach((b) => { counts[b]++; });
  assert.ok(counts.every((c) => c > 0));
  assert.strictEqual(new Set(words).size, words.length);
  assert.throws(() => encode(Number.NaN, 16), /finite/);
});
