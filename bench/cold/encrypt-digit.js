#!/usr/bin/env node
// bench/cold.sh's client, run once before the measurements: encrypts samples/digit-7.png with the keys that
// `veil-he keygen --state STATE` made (and uploaded), for encrypted-mnist on the host at URL, and writes the
// request body to OUT, so that the timed requests carry a ready ciphertext (no client work, no key upload).
//   node bench/cold/encrypt-digit.js URL STATE OUT
'use strict';

const fs = require('fs');
const path = require('path');
const repo = path.join(__dirname, '..', '..');
const SEAL = require(path.join(repo, 'clients/js/node_modules/node-seal'));
const { VeilHeClient, fetchHeParams } = require(path.join(repo, 'clients/js/src/index'));
const { readPngDigit } = require(path.join(repo, 'clients/js/src/node-io'));

async function main() {
  const [url, stateFile, out] = process.argv.slice(2);
  if (!out) throw new Error('usage: encrypt-digit.js URL STATE OUT');
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  const seal = await SEAL();
  const client = new VeilHeClient(seal, await fetchHeParams(url, state.function), {
    parameterSet: state.parameter_set,
    secretKey: Buffer.from(state.secret_key, 'base64'),
  });
  fs.writeFileSync(out, client.encrypt([readPngDigit(path.join(repo, 'samples/digit-7.png'))]));
  client.delete();
}

main().catch((e) => {
  console.error(`encrypt-digit: ${e.message}`);
  process.exit(1);
});
