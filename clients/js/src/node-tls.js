// Node only: a fetch-like request over https.request that presents a client certificate and trusts a given
// CA, for secure-serving parties that require mutual TLS. Node's built-in fetch cannot take a client
// certificate without undici's Agent, which is not a dependency here; a browser presents certificates from its
// own store instead.
'use strict';

const https = require('node:https');
const { request } = require('./secure');

/** As long as a batch's party may take (the parties bound their own rounds more tightly). */
const TIMEOUT_MS = 120000;

/** Codes for a party's certificate this client does not trust. */
const UNTRUSTED = /^(UNABLE_TO_|SELF_SIGNED_|CERT_|DEPTH_ZERO_|ERR_TLS_CERT_)/;
/** Codes for a handshake the party refused (an alert) or dropped (a reset, as TLS 1.3 servers may do). */
const REFUSED = /^(ERR_SSL_|ECONNRESET$|EPROTO$)/;

/**
 * A request function `(url, {method, headers, body}) → Promise<{ok, status, text()}>` (what VeilSmpcClient
 * needs of fetch). `cert`, `key`, `ca`: PEM strings or Buffers (cert and key together, or neither). Each
 * call makes its own connection (no keep-alive), so a reset is always one of a fresh handshake.
 */
function tlsRequester({ cert, key, ca } = {}) {
  if (Boolean(cert) !== Boolean(key)) throw new Error('a client certificate needs both its certificate and its key');
  const agent = new https.Agent({ cert, key, ca, keepAlive: false });
  return async (url, init = {}) => {
    if (new URL(url).protocol !== 'https:') {
      throw new Error(`${url} is not an https:// address; a client certificate and CA apply to TLS only`);
    }
    let res;
    try {
      res = await request(url, { method: init.method, headers: init.headers, body: init.body, agent, timeoutMs: TIMEOUT_MS });
    } catch (e) {
      throw describe(e, Boolean(cert));
    }
    return { ok: res.status >= 200 && res.status < 300, status: res.status, text: async () => res.body };
  };
}

/** Names a refused handshake as such: the bare OpenSSL alert or reset does not say what the caller should do. */
function describe(e, presented) {
  const code = e.code || '';
  const detail = `${code}: ${e.message.trim()}`;
  if (UNTRUSTED.test(code)) {
    return named(e, `TLS handshake failed (${detail}); the party's certificate is not trusted: give its CA (option ca; veil-smpc --ca)`);
  }
  if (!REFUSED.test(code)) return e;
  const what = presented
    ? 'the party refused this client certificate: is it issued by the CA the party trusts?'
    : 'the party requires a client certificate: give one (options cert and key; veil-smpc --certificate and --certificate-key)';
  return named(e, code.startsWith('ERR_SSL_')
    ? `TLS handshake refused by the party (${detail}); ${what}`
    : `TLS handshake refused: the party dropped the new connection before any answer (${detail}), as TLS servers do `
      + `when they refuse a client certificate; ${what}`);
}

function named(e, message) {
  const out = new Error(message);
  out.code = e.code;
  return out;
}

module.exports = { tlsRequester };
