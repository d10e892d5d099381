// The library in a real browser (headless Chromium): node-seal's web build, keys, bundle, encryption and
// decryption all run in the page; nothing is mocked. The end-to-end run against a Veil host is
// EncryptedBrowserTest in functions (it drives browser/e2e.js).
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { withLibraryPage } = require('../browser/harness');
const { heParams } = require('../testdata/he-params');

test('in Chromium: keys for a parameter set, VEILKEYS bundle, encrypt and decrypt packed samples', async () => {
  const result = await withLibraryPage({}, (page) => page.evaluate(async (heParams) => {
    const seal = await globalThis.SEAL();
    const client = new globalThis.VeilHe.VeilHeClient(seal, heParams);
    const bundle = await client.keyBundle();
    const scores = client.decrypt(client.encrypt([[1, 2, 3], [3, 4, 5]]), 2);
    const restored = new globalThis.VeilHe.VeilHeClient(seal, heParams, { secretKey: client.secretKeyBytes() });
    const [[again]] = restored.decrypt(client.encrypt([[5, 2, 3]]), 1);
    return {
      leaks: [typeof VeilHeClient, typeof BUNDLE_MAGIC, typeof SECTION].filter((t) => t !== 'undefined').length,
      userAgent: navigator.userAgent,
      magic: String.fromCharCode(...bundle.bytes.subarray(0, 8)),
      sections: bundle.bytes[9],
      fingerprint: bundle.fingerprint,
      sizes: bundle.sizes,
      scores,
      again,
    };
  }, heParams));
  assert.match(result.userAgent, /Chrome\//);
  assert.strictEqual(result.leaks, 0, 'the library defines only globalThis.VeilHe');
  assert.strictEqual(result.magic, 'VEILKEYS');
  assert.strictEqual(result.sections, 3);
  assert.match(result.fingerprint, /^[0-9a-f]{64}$/);
  assert.strictEqual(result.sizes.galois_steps, 3);
  const expected = [[0, 0, 0], [1, 1, 1]];
  result.scores.forEach((row, s) => row.forEach((v, k) => assert.ok(Math.abs(v - expected[s][k]) < 1e-4, `${s},${k}: ${v}`)));
  assert.ok(Math.abs(result.again - 2) < 1e-4, `restored key decrypts ${result.again}`);
});
