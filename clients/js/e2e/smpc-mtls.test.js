// The secure-serving client against parties that require mutual TLS, run with node's test runner by
// SmpcMutualTlsTest in functions, which starts the three Veil hosts (HTTPS, client certificates required),
// makes the certificates and computes the plaintext model's scores. It passes, in the environment:
//   VEIL_SMPC_PARTY0, VEIL_SMPC_PARTY1   the parties' base URLs (https://…/api)
//   VEIL_FUNCTION_KEY                    the hosts' function key
//   VEIL_SMPC_TLS_DIR                    ca.crt, client.crt/.key (issued by ca), foreign.crt/.key (another CA)
//   VEIL_SMPC_CASE                       a JSON file {model, row, scores}: one input and its plaintext scores
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { VeilSmpcClient } = require('../src/smpc');

function setting(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: this test runs from SmpcMutualTlsTest, which starts the hosts`);
  return value;
}

const party0 = setting('VEIL_SMPC_PARTY0');
const party1 = setting('VEIL_SMPC_PARTY1');
const functionKey = setting('VEIL_FUNCTION_KEY');
const tls = (file) => path.join(setting('VEIL_SMPC_TLS_DIR'), file);
const expected = JSON.parse(fs.readFileSync(setting('VEIL_SMPC_CASE'), 'utf8'));
const plainLabel = expected.scores.indexOf(Math.max(...expected.scores));

function client(options) {
  return new VeilSmpcClient(party0, party1, { functionKey, ...options });
}

function cli(extra) {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(__dirname, '..', 'bin', 'veil-smpc.js'), 'predict',
      '--model', expected.model, '--values', expected.row.join(','), '--party0', party0, '--party1', party1,
      '--function-key', functionKey, ...extra], { timeout: 30000 },
    (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
  });
}

test('with a client certificate the shared prediction equals the plaintext model\'s', async () => {
  const c = client({ cert: fs.readFileSync(tls('client.crt')), key: fs.readFileSync(tls('client.key')), ca: fs.readFileSync(tls('ca.crt')) });
  const both = await c.predict(expected.model, [expected.row], 'both');
  expected.scores.forEach((v, k) => assert.ok(Math.abs(both.scores[0][k] - v) < 0.01, `score ${k}: ${both.scores[0][k]} vs ${v}`));
  assert.strictEqual(both.labels[0], plainLabel);
  const scores = await c.predict(expected.model, [expected.row]);
  assert.strictEqual(scores.labels[0], plainLabel);
});

test('without a client certificate, or with one from another CA, the call fails naming the TLS refusal', async () => {
  const ca = fs.readFileSync(tls('ca.crt'));
  const none = client({ ca });
  await assert.rejects(none.predict(expected.model, [expected.row]),
    /party [01] at https:\/\/.* failed: TLS handshake refused.*the party requires a client certificate/);
  const foreign = client({ cert: fs.readFileSync(tls('foreign.crt')), key: fs.readFileSync(tls('foreign.key')), ca });
  await assert.rejects(foreign.predict(expected.model, [expected.row]), /TLS handshake refused.*the party refused this client certificate/);
  // and the party's own certificate is checked: without the CA it is not trusted
  const noCa = client({ cert: fs.readFileSync(tls('client.crt')), key: fs.readFileSync(tls('client.key')) });
  await assert.rejects(noCa.predict(expected.model, [expected.row]), /TLS handshake failed .*not trusted: give its CA/);
});

test('the CLI takes --certificate, --certificate-key and --ca', async () => {
  const ok = await cli(['--certificate', tls('client.crt'), '--certificate-key', tls('client.key'), '--ca', tls('ca.crt')]);
  assert.strictEqual(ok.code, 0, ok.stderr);
  const result = JSON.parse(ok.stdout);
  assert.strictEqual(result.prediction, plainLabel);
  expected.scores.forEach((v, k) => assert.ok(Math.abs(result.scores[k] - v) < 0.01, `score ${k}`));

  const refused = await cli(['--ca', tls('ca.crt')]);
  assert.strictEqual(refused.code, 1);
  assert.match(refused.stderr, /veil-smpc: party [01] at https:\/\/.* failed: TLS handshake refused/);
  const missing = await cli(['--certificate', tls('nowhere.crt'), '--certificate-key', tls('client.key')]);
  assert.strictEqual(missing.code, 1);
  assert.match(missing.stderr, /--certificate .*nowhere\.crt: no such file/);
});
