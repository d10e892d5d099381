#!/usr/bin/env node
// Calls a Veil function over HTTPS with a key from the key API, then with a bearer token.
//   node examples/secure-call.js --url https://localhost:7071 --cacert ca.pem --function scores \
//       --master-key "$MASTER" [--token "$(veil token issue --sub me --aud api://veil --ttl 15m)"]
'use strict';

const fs = require('node:fs');
const { request, functionKey } = require('../src/secure');

async function main(argv) {
  const o = {};
  for (let i = 0; i + 1 < argv.length; i += 2) o[argv[i]] = argv[i + 1];
  const url = (o['--url'] || 'https://localhost:7071').replace(/\/+$/, '');
  const fn = o['--function'];
  if (!fn) throw new Error('--function is required');
  const path = o['--path'] || `/api/${fn}`;
  const ca = o['--cacert'] ? fs.readFileSync(o['--cacert'], 'utf8') : undefined;
  const key = o['--key'] || (o['--master-key'] ? await functionKey(url, fn, { ca, masterKey: o['--master-key'] }) : undefined);
  if (key) {
    const res = await request(url + path, { ca, key, keyInAuthorization: o['--key-header'] === 'authorization' });
    console.log(`key: ${res.status} ${res.body}`);
  }
  if (o['--token']) {
    const res = await request(url + path, { ca, token: o['--token'] });
    console.log(`token: ${res.status} ${res.body}${res.headers['www-authenticate'] ? ` (${res.headers['www-authenticate']})` : ''}`);
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`secure-call: ${e.message}`);
  process.exit(1);
});
