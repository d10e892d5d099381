#!/usr/bin/env node
// veil-he: keys, encryption and decryption for Veil's encrypted functions, on node-seal.
//
//   veil-he keygen  --url http://127.0.0.1:7071 --function encrypted-mnist --key-id alice --container veil-keys \
//                   [--parameter-set fast] (--key-dir .veil/keys | env VEIL_KEYS_CONNECTION_STRING) --state alice.json
//   veil-he predict --state alice.json (--png digit.png | --array x.json | --csv data.csv --row 3)
//   veil-he batch   --state alice.json --input samples.json --output results.json
//   (predict and batch send the function key from --function-key or VEIL_FUNCTION_KEY)
//
// The state file holds the secret key: keep it private. The key bundle (no secret) goes to blob storage.
'use strict';

const fs = require('fs');
const SEAL = require('node-seal');
const { VeilHeClient, fetchHeParams } = require('../src/index');
const { uploadToBlob, writeToKeyDir, readPngDigit, readCsvRow } = require('../src/node-io');

function parseArgs(argv) {
  const args = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      const name = argv[i].slice(2);
      const value = argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
      args[name] = value;
    } else {
      args._.push(argv[i]);
    }
  }
  return args;
}

function required(args, name) {
  if (!args[name]) throw new Error(`--${name} is required`);
  return args[name];
}

/** The function key: --function-key or VEIL_FUNCTION_KEY (kept out of the state file). */
function functionKey(args) {
  return args['function-key'] || process.env.VEIL_FUNCTION_KEY;
}

async function loadClient(seal, state) {
  const heParams = await fetchHeParams(state.url, state.function);
  const client = new VeilHeClient(seal, heParams, {
    parameterSet: state.parameter_set,
    secretKey: Buffer.from(state.secret_key, 'base64'),
  });
  return client;
}

async function keygen(seal, args) {
  const url = required(args, 'url');
  const fn = required(args, 'function');
  const keyId = required(args, 'key-id');
  const container = required(args, 'container');
  const heParams = await fetchHeParams(url, fn);
  const t0 = Date.now();
  const client = new VeilHeClient(seal, heParams, { parameterSet: args['parameter-set'] });
  const bundle = await client.keyBundle();
  const keygenMs = Date.now() - t0;
  const connectionString = args['connection-string'] || process.env.VEIL_KEYS_CONNECTION_STRING;
  if (args['key-dir']) {
    writeToKeyDir(args['key-dir'], container, keyId, bundle.bytes);
  } else if (connectionString) {
    await uploadToBlob(connectionString, container, keyId, bundle.bytes);
  } else {
    throw new Error('say where the key bundle goes: --key-dir DIR, or VEIL_KEYS_CONNECTION_STRING for blob storage');
  }
  const state = {
    url, function: fn, parameter_set: client.set.name, key_id: keyId, container,
    fingerprint: bundle.fingerprint, secret_key: Buffer.from(client.secretKeyBytes()).toString('base64'),
  };
  fs.writeFileSync(required(args, 'state'), JSON.stringify(state, null, 1), { mode: 0o600 });
  console.log(JSON.stringify({ key_id: keyId, container, parameter_set: client.set.name,
    galois_steps: heParams.galois_steps, bundle_bytes: bundle.sizes, keygen_ms: keygenMs }));
  client.delete();
}

/** Encrypts, sends and decrypts in ciphertext-sized chunks, a few requests in flight so the server stays busy. */
async function evaluateSamples(client, state, samples, functionKey, inFlight = 2) {
  const per = client.samplesPerCiphertext;
  const chunks = [];
  for (let i = 0; i < samples.length; i += per) chunks.push(samples.slice(i, i + per));
  const results = new Array(chunks.length);
  let next = 0;
  async function worker() {
    while (next < chunks.length) {
      const c = next++;
      const ciphertext = client.encrypt(chunks[c]);
      const reply = await client.evaluate(state.url, ciphertext,
        { keyId: state.key_id, container: state.container, fingerprint: state.fingerprint, functionKey });
      results[c] = client.decrypt(reply, chunks[c].length).map((scores) => client.postprocess(scores));
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, chunks.length) }, worker));
  return results.flat();
}

async function predict(seal, args) {
  const state = JSON.parse(fs.readFileSync(required(args, 'state'), 'utf8'));
  const client = await loadClient(seal, state);
  const features = client.heParams.input.features;
  let sample;
  if (args.png) sample = readPngDigit(args.png);
  else if (args.array) sample = JSON.parse(fs.readFileSync(args.array, 'utf8'));
  else if (args.csv) sample = readCsvRow(args.csv, Number(args.row || 0), features);
  else throw new Error('give the input: --png FILE, --array FILE (JSON array) or --csv FILE [--row N]');
  const [result] = await evaluateSamples(client, state, [sample], functionKey(args));
  console.log(JSON.stringify(result));
  client.delete();
}

async function batch(seal, args) {
  const state = JSON.parse(fs.readFileSync(required(args, 'state'), 'utf8'));
  const client = await loadClient(seal, state);
  const samples = JSON.parse(fs.readFileSync(required(args, 'input'), 'utf8'));
  const t0 = Date.now();
  const results = await evaluateSamples(client, state, samples, functionKey(args));
  fs.writeFileSync(required(args, 'output'), JSON.stringify(results));
  console.log(JSON.stringify({ samples: samples.length, ciphertexts: Math.ceil(samples.length / client.samplesPerCiphertext),
    elapsed_ms: Date.now() - t0 }));
  client.delete();
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const command = args._[0];
  const commands = { keygen, predict, batch };
  if (!commands[command]) {
    console.error('usage: veil-he keygen|predict|batch [options] (see the header of bin/veil-he.js)');
    process.exit(2);
  }
  const seal = await SEAL();
  await commands[command](seal, args);
}

main().catch((e) => {
  console.error(`veil-he: ${e.message}`);
  process.exit(1);
});
