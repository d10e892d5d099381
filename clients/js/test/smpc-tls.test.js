// The client-certificate transport (src/node-tls.js) against a Node HTTPS server that requires client
// certificates, with certificates made here by openssl. The run against three Veil hosts is
// e2e/smpc-mtls.test.js, driven by SmpcMutualTlsTest in functions.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const https = require('node:https');
const { execFileSync } = require('node:child_process');
const { tlsRequester } = require('../src/node-tls');
const { VeilSmpcClient } = require('../src/smpc');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veil-smpc-tls-'));
const file = (name) => path.join(dir, name);
const read = (name) => fs.readFileSync(file(name));
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

function authority(name) {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`,
    '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '1');
}

function issue(ca, name) {
  fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`,
    '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', String(Date.now()),
    '-out', `${name}.crt`, '-days', '1', '-extfile', 'san.ext');
}

let server;
let url;

test.before(async () => {
  authority('ca');
  authority('other-ca');
  issue('ca', 'server');
  issue('ca', 'client');
  issue('other-ca', 'foreign');
  server = https.createServer({ cert: read('server.crt'), key: read('server.key'), ca: read('ca.crt'), requestCert: true },
    (req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => res.end(JSON.stringify({ peer: req.socket.getPeerCertificate().subject.CN, body: Buffer.concat(chunks).toString() })));
    });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${server.address().port}/api`;
});

test.after(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function attempt(options) {
  const res = await tlsRequester(options)(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'share' });
  return { status: res.status, body: JSON.parse(await res.text()) };
}

test('a client certificate from the CA the server trusts is presented and the body arrives', async () => {
  const { status, body } = await attempt({ cert: read('client.crt'), key: read('client.key'), ca: read('ca.crt') });
  assert.strictEqual(status, 200);
  assert.deepStrictEqual(body, { peer: 'client', body: 'share' });
});

test('refusals name the TLS handshake and what to give', async () => {
  await assert.rejects(attempt({ ca: read('ca.crt') }), /TLS handshake refused.*the party requires a client certificate/);
  await assert.rejects(attempt({ cert: read('foreign.crt'), key: read('foreign.key'), ca: read('ca.crt') }),
    /TLS handshake refused.*the party refused this client certificate/);
  await assert.rejects(attempt({ cert: read('client.crt'), key: read('client.key') }),
    /TLS handshake failed .*not trusted: give its CA/);
  assert.throws(() => tlsRequester({ cert: read('client.crt') }), /both its certificate and its key/);
  await assert.rejects(tlsRequester({ ca: read('ca.crt') })('http://127.0.0.1:1/api', {}), /not an https:\/\/ address/);
});

test('the SMPC client takes cert, key and ca and reports the party that refused', async () => {
  const refused = new VeilSmpcClient(url, url, { ca: read('ca.crt') });
  await assert.rejects(refused.info('m'), /party [01] at https:\/\/127\.0\.0\.1:\d+\/api failed: TLS handshake refused/);
  const accepted = new VeilSmpcClient(url, url, { cert: read('client.crt'), key: read('client.key'), ca: read('ca.crt') });
  // the stand-in answers every path with its echo: the call goes through and the body is what it said
  const answer = await accepted.call(0, 'smpc/model/m');
  assert.strictEqual(answer.peer, 'client');
});
