#!/usr/bin/env node
// veil-he: keys, encryption and decryption for Veil's encrypted functions, on node-seal (usage: USAGE below).
// The state file holds the secret key: it lives in a per-user folder with owner-only modes, never in a repository.
// The key bundle (no secret) goes to the host, which stores it in its key storage.
'use strict';

const fs = require('fs');
const SEAL = require('node-seal');
const { VeilHeClient, fetchHeParams } = require('../src/index');
const { uploadToBlob, uploadToHost, stateDir, statePath, writeState, readPngDigit, readCsvRow } = require('../src/node-io');

const USAGE = {
  keygen: `usage: veil-he keygen --url URL --function FUNCTION --key-id ID [options]
  Fetches the function's he-params, makes CKKS keys and uploads the key bundle (no secret) to the host:
  PUT URL/api/FUNCTION/keys/ID, authorized by the function key. The secret key stays in the state file.
  --url URL              the Veil host, e.g. http://127.0.0.1:7071
  --function FUNCTION    encrypted-mnist or encrypted-breast-cancer
  --key-id ID            the name of your keys on the host (letters, digits, '.', '_', '-')
  --container NAME       key container on the host (default veil-keys)
  --parameter-set NAME   one of the function's parameter sets (default: the first, e.g. fast)
  --function-key KEY     the host or function key (default: env VEIL_FUNCTION_KEY)
  --state FILE           where to keep the secret key (default: ${stateDir()}/ID.json, mode 600)
  With env VEIL_KEYS_CONNECTION_STRING set, the bundle goes straight to that blob storage instead.`,
  predict: `usage: veil-he predict (--key-id ID | --state FILE) (--png FILE | --csv FILE [--row N] | --array FILE)
  Encrypts one sample, sends it to the function the keys were made for, and prints the decrypted result.
  --png FILE             a 28x28 digit, white on black (encrypted-mnist)
  --csv FILE [--row N]   data row N (0 = first after the header) of a CSV; id/label columns are skipped
  --array FILE           a JSON array of the feature values
  --function-key KEY     the host or function key (default: env VEIL_FUNCTION_KEY)`,
  batch: `usage: veil-he batch (--key-id ID | --state FILE) --input samples.json --output results.json
  Scores a JSON array of samples (each an array of feature values), several per ciphertext.
  --function-key KEY     the host or function key (default: env VEIL_FUNCTION_KEY)`,
};
const MAIN_USAGE = `usage: veil-he <command> [options]   (veil-he <command> --help for its options)
  keygen    make keys for an encrypted function and upload the key bundle to the host
  predict   encrypt one sample, have the host score it, decrypt the result
  batch     the same for a JSON array of samples
State (secret keys) lives in ${stateDir()} unless --state says otherwise.`;

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

/** The state file: --state, else <state dir>/<key-id>.json. */
function stateFile(args) {
  if (args.state) return args.state;
  if (args['key-id']) return statePath(args['key-id']);
  throw new Error('--key-id or --state is required');
}

function readState(args) {
  const file = stateFile(args);
  if (!fs.existsSync(file)) throw new Error(`no keys at ${file}; run veil-he keygen first`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

async function keygen(seal, args) {
  const url = required(args, 'url').replace(/\/+$/, '');
  const fn = required(args, 'function');
  const keyId = required(args, 'key-id');
  const container = args.container || 'veil-keys';
  const heParams = await fetchHeParams(url, fn);
  const t0 = Date.now();
  const client = new VeilHeClient(seal, heParams, { parameterSet: args['parameter-set'] });
  const bundle = await client.keyBundle();
  const keygenMs = Date.now() - t0;
  const connectionString = process.env.VEIL_KEYS_CONNECTION_STRING;
  if (connectionString) {
    await uploadToBlob(connectionString, container, keyId, bundle.bytes);
  } else {
    await uploadToHost(url, fn, container, keyId, bundle.bytes, functionKey(args));
  }
  const state = {
    url, function: fn, parameter_set: client.set.name, key_id: keyId, container,
    fingerprint: bundle.fingerprint, secret_key: Buffer.from(client.secretKeyBytes()).toString('base64'),
  };
  const file = stateFile(args);
  writeState(file, state);
  console.log(JSON.stringify({ key_id: keyId, container, parameter_set: client.set.name, state: file,
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
  const state = readState(args);
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
  const state = readState(args);
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
  if (!command && (args.help || args.h)) {
    console.log(MAIN_USAGE);
    return;
  }
  if (!commands[command]) {
    console.error(command ? `veil-he: unknown command '${command}'` : 'veil-he: name a command');
    console.error(MAIN_USAGE);
    process.exit(2);
  }
  if (args.help || args.h) {
    console.log(USAGE[command]);
    return;
  }
  const seal = await SEAL();
  await commands[command](seal, args);
}

main().catch((e) => {
  console.error(`veil-he: ${e.message}`);
  process.exit(1);
});
