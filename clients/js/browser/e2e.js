#!/usr/bin/env node
// End to end in a real browser, for EncryptedBrowserTest (functions): the page fetches the function's
// he-params from the Veil host, generates keys, encrypts samples, calls the host and decrypts — all with
// the library and node-seal's web build inside headless Chromium. The only hop outside the page is the key
// bundle's upload to blob storage: a browser app would PUT it with a SAS URL; here the page hands the bytes
// to this script, which uploads them with the connection string from VEIL_KEYS_CONNECTION_STRING.
//
//   node browser/e2e.js --url http://127.0.0.1:7071 --function encrypted-mnist --key-id k --container c \
//       --input samples.json          # prints one JSON line: { user_agent, bundle_bytes, scores: [[...], ...] }
'use strict';

const fs = require('fs');
const { parseArgs } = require('util');
const { withLibraryPage } = require('./harness');
const { uploadToBlob } = require('../src/node-io');

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' }, function: { type: 'string' }, 'key-id': { type: 'string' },
      container: { type: 'string' }, input: { type: 'string' },
    },
  });
  for (const name of ['url', 'function', 'key-id', 'container', 'input']) {
    if (!values[name]) throw new Error(`--${name} is required`);
  }
  const connectionString = process.env.VEIL_KEYS_CONNECTION_STRING;
  if (!connectionString) throw new Error('VEIL_KEYS_CONNECTION_STRING is required');
  const job = {
    fn: values.function,
    keyId: values['key-id'],
    container: values.container,
    functionKey: process.env.VEIL_FUNCTION_KEY,
    samples: JSON.parse(fs.readFileSync(values.input, 'utf8')),
  };
  const result = await withLibraryPage({ apiUrl: values.url }, async (page) => {
    await page.exposeFunction('uploadKeyBundle',
      (base64) => uploadToBlob(connectionString, job.container, job.keyId, Buffer.from(base64, 'base64')));
    return page.evaluate(async ({ fn, keyId, container, functionKey, samples }) => {
      const { VeilHeClient, fetchHeParams } = globalThis.VeilHe;
      const seal = await globalThis.SEAL();
      const client = new VeilHeClient(seal, await fetchHeParams('', fn)); // same origin: the page's server forwards /api
      const bundle = await client.keyBundle();
      let binary = '';
      for (let i = 0; i < bundle.bytes.length; i += 0x8000) {
        binary += String.fromCharCode(...bundle.bytes.subarray(i, i + 0x8000));
      }
      await globalThis.uploadKeyBundle(btoa(binary));
      const scores = [];
      for (let i = 0; i < samples.length; i += client.samplesPerCiphertext) {
        const chunk = samples.slice(i, i + client.samplesPerCiphertext);
        const reply = await client.evaluate('', client.encrypt(chunk),
          { keyId, container, fingerprint: bundle.fingerprint, functionKey });
        scores.push(...client.decrypt(reply, chunk.length));
      }
      client.delete();
      return { user_agent: navigator.userAgent, bundle_bytes: bundle.sizes.total, scores };
    }, job);
  });
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(`browser e2e: ${e.message}`);
  process.exit(1);
});
