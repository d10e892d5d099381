// Calls a Veil host over HTTPS with a function key or a bearer token (Node only: node:https takes a private CA).
'use strict';

const https = require('node:https');
const http = require('node:http');

/**
 * One request; resolves { status, headers, body } (body as text). Options: ca (PEM text of a private CA),
 * key (sent as x-functions-key), keyInAuthorization (send the key as a bare Authorization header, the
 * Brainwave clients' form), token (sent as Authorization: Bearer), method, body, timeoutMs, headers (more
 * request headers), agent (an https.Agent, e.g. one that presents a client certificate; it then holds the CA).
 */
function request(url, { ca, key, keyInAuthorization, token, method = 'GET', body, timeoutMs = 30000, headers: extra, agent } = {}) {
  const target = new URL(url);
  const headers = { ...extra };
  if (key && keyInAuthorization) headers.authorization = key;
  else if (key) headers['x-functions-key'] = key;
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(target, { method, headers, ca, agent, timeout: timeoutMs, minVersion: 'TLSv1.2' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}

/** A function's key from the key management API (needs the master key). */
async function functionKey(baseUrl, fn, { ca, masterKey, name = 'default' }) {
  const res = await request(`${baseUrl}/admin/functions/${encodeURIComponent(fn)}/keys/${encodeURIComponent(name)}`, { ca, key: masterKey });
  if (res.status !== 200) throw new Error(`key API: HTTP ${res.status}: ${res.body}`);
  return JSON.parse(res.body).value;
}

module.exports = { request, functionKey };
