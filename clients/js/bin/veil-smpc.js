#!/usr/bin/env node
// veil-smpc: predictions from Veil's secure-serving parties (secret sharing) for a digit image or a row.
//
//   veil-smpc predict --image digit.png [--model mnist-mlp] --party0 http://127.0.0.1:7071/api \
//       --party1 http://127.0.0.1:7072/api [--function-key KEY] [--output scores|argmax|both] \
//       [--certificate client.crt --certificate-key client.key] [--ca parties-ca.crt]
//   veil-smpc predict --values 0.1,0.2,... --model NAME ...
//
// Prints {"prediction": n, "scores": [...], "rounds": r}. The function key may come from VEIL_FUNCTION_KEY.
// --certificate and --certificate-key (PEM files) are the client certificate for parties that require mutual
// TLS; --ca (PEM) the CA their certificates are issued by.
'use strict';

const fs = require('node:fs');
const { VeilSmpcClient } = require('../src/smpc');
const { readPngDigit } = require('../src/node-io');

function parseArgs(argv) {
  const args = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) args[argv[i].slice(2)] = argv[i + 1] !== undefined ? argv[++i] : 'true';
    else args._.push(argv[i]);
  }
  return args;
}

/** The PEM file named by --option, read; undefined when the option is absent. */
function pem(args, option) {
  if (args[option] === undefined) return undefined;
  try {
    return fs.readFileSync(args[option]);
  } catch (e) {
    throw new Error(`--${option} ${args[option]}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args._[0] !== 'predict') throw new Error('usage: veil-smpc predict (--image FILE | --values v1,v2,...) --party0 URL --party1 URL');
  let row;
  if (args.image) row = readPngDigit(args.image);
  else if (args.values) row = args.values.split(',').map(Number);
  else throw new Error('name an input: --image FILE or --values v1,v2,...');
  const client = new VeilSmpcClient(args.party0 || 'http://127.0.0.1:7071/api', args.party1 || 'http://127.0.0.1:7072/api', {
    functionKey: args['function-key'] || process.env.VEIL_FUNCTION_KEY,
    cert: pem(args, 'certificate'),
    key: pem(args, 'certificate-key'),
    ca: pem(args, 'ca'),
  });
  const result = await client.predict(args.model || 'mnist-mlp', [row], args.output || 'scores');
  console.log(JSON.stringify({ prediction: result.labels[0], scores: result.scores && result.scores[0], rounds: result.rounds }));
}

main().catch((e) => {
  console.error(`veil-smpc: ${e.message}`);
  process.exit(1);
});
