// Veil secure-serving client (secret sharing, seed 004): splits an input into two additive shares over
// Z_2^64 (BigInt arithmetic), sends one share to each compute party, and adds the parties' output shares back
// into scores and predicted classes. Neither party sees the input or the result. Runs in Node (>= 20) and in
// browsers: it uses only fetch, WebCrypto's getRandomValues and BigInt. For parties that require mutual TLS,
// Node takes a client certificate and CA as options (src/node-tls.js); a browser presents one from its own
// certificate store when the party asks.
// UMD: CommonJS for Node and bundlers; a plain <script> in a browser gets globalThis.VeilSmpc.
(function umd(root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.VeilSmpc = factory();
}(globalThis, () => {
  'use strict';

  const MOD = 64;

  /** round(v · 2^f) as a ring element (unsigned 64-bit BigInt). */
  function encode(v, fracBits) {
    if (!Number.isFinite(v)) throw new Error(`value ${v} is not a finite number`);
    const scaled = Math.round(v * 2 ** fracBits);
    if (Math.abs(scaled) >= 2 ** 53) throw new Error(`value ${v} is too large for ${fracBits} fractional bits`);
    return BigInt.asUintN(MOD, BigInt(scaled));
  }

  /** A ring element read as a signed fixed-point number. */
  function decode(word, fracBits) {
    return Number(BigInt.asIntN(MOD, word)) / 2 ** fracBits;
  }

  /** Uniform ring elements from the platform's cryptographic generator. */
  function randomWords(n) {
    const words = new BigUint64Array(n);
    const bytes = new Uint8Array(words.buffer);
    for (let at = 0; at < bytes.length; at += 65536) {
      globalThis.crypto.getRandomValues(bytes.subarray(at, Math.min(bytes.length, at + 65536)));
    }
    return words;
  }

  /** Two shares of `words`: share 0 uniform, share 1 = words − share 0 (mod 2^64). */
  function split(words) {
    const s0 = randomWords(words.length);
    const s1 = new BigUint64Array(words.length);
    for (let i = 0; i < words.length; i++) s1[i] = BigInt.asUintN(MOD, words[i] - s0[i]);
    return [s0, s1];
  }

  function reconstruct(a, b) {
    if (a.length !== b.length) throw new Error(`shares have ${a.length} and ${b.length} words`);
    const out = new BigUint64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = BigInt.asUintN(MOD, a[i] + b[i]);
    return out;
  }

  /** Little-endian 64-bit words as base64 (the parties' wire format). */
  function wordsToBase64(words) {
    const bytes = new Uint8Array(words.length * 8);
    const view = new DataView(bytes.buffer);
    words.forEach((w, i) => view.setBigUint64(i * 8, w, true));
    let text = '';
    for (let i = 0; i < bytes.length; i += 32768) text += String.fromCharCode(...bytes.subarray(i, i + 32768));
    return btoa(text);
  }

  function base64ToWords(text) {
    const raw = atob(text);
    if (raw.length % 8 !== 0) throw new Error(`share data has ${raw.length} bytes, not a multiple of 8`);
    const view = new DataView(new ArrayBuffer(raw.length));
    for (let i = 0; i < raw.length; i++) view.setUint8(i, raw.charCodeAt(i));
    const out = new BigUint64Array(raw.length / 8);
    for (let i = 0; i < out.length; i++) out[i] = view.getBigUint64(i * 8, true);
    return out;
  }

  function sessionId() {
    const b = new Uint8Array(16);
    globalThis.crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  /**
   * A client of two compute parties, each given as its base URL up to the route prefix (…/api). Options:
   * functionKey; in Node also cert and key (a client certificate for parties that require mutual TLS) and
   * ca (the CA the parties' certificates come from), PEM strings or Buffers.
   */
  class VeilSmpcClient {
    constructor(party0, party1, options = {}) {
      this.parties = [party0, party1].map((u) => u.replace(/\/$/, ''));
      this.key = options.functionKey;
      this.known = new Map(); // models' public facts, asked once (again after a version mismatch)
      this.request = (url, init) => fetch(url, init);
      if (options.cert || options.key || options.ca) {
        if (typeof process === 'undefined' || !process.versions || !process.versions.node) {
          throw new Error("in a browser the client certificate comes from the browser's certificate store; "
            + 'the cert, key and ca options are for Node');
        }
        this.request = require('./node-tls').tlsRequester({ cert: options.cert, key: options.key, ca: options.ca });
      }
    }

    async call(i, path, init = {}) {
      const headers = { ...(init.headers || {}) };
      if (this.key) headers['x-functions-key'] = this.key;
      let res;
      try {
        res = await this.request(`${this.parties[i]}/${path}`, { ...init, headers });
      } catch (e) {
        throw new Error(`party ${i} at ${this.parties[i]} failed: ${e.cause ? e.cause.message : e.message}`);
      }
      const text = await res.text();
      let body;
      try { body = JSON.parse(text); } catch { body = undefined; }
      if (!res.ok || body === undefined) throw new Error(`party ${i} answered ${res.status}: ${body && body.error ? body.error : text}`);
      return body;
    }

    /** The model's public facts; fails when the parties hold different versions. */
    async info(model) {
      const [a, b] = await Promise.all([0, 1].map((i) => this.call(i, `smpc/model/${encodeURIComponent(model)}`)));
      if (a.version !== b.version) throw new Error(`the parties hold different versions of ${model}: ${a.version} and ${b.version}`);
      return a;
    }

    /**
     * Scores (rows × classes) and predicted classes of `rows` (arrays of numbers). `output`: 'scores' (the
     * default; classes taken here from the scores), 'argmax' (classes computed on shares, no scores revealed)
     * or 'both'.
     */
    async predict(model, rows, output = 'scores') {
      if (!this.known.has(model)) this.known.set(model, await this.info(model));
      try {
        return await this.run(this.known.get(model), model, rows, output);
      } catch (e) {
        if (!/model version mismatch/.test(e.message)) throw e;
        this.known.set(model, await this.info(model)); // the model was shared anew
        return this.run(this.known.get(model), model, rows, output);
      }
    }

    async run(info, model, rows, output) {
      const words = new BigUint64Array(rows.length * info.inputs);
      rows.forEach((row, r) => {
        if (row.length !== info.inputs) throw new Error(`row ${r} has ${row.length} values; ${model} takes ${info.inputs}`);
        row.forEach((v, i) => { words[r * info.inputs + i] = encode(v, info.fracBits); });
      });
      const shares = split(words);
      const session = sessionId();
      // Promise.all rejects as soon as either party fails: the caller gets that party's error at once
      const answers = await Promise.all([0, 1].map((i) => this.call(i, 'smpc/predict', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ session, model, version: info.version, rows: rows.length, output, share: wordsToBase64(shares[i]) }),
      })));
      const classes = info.outputs;
      let scores = null;
      let labels;
      if (output !== 'argmax') {
        const words = reconstruct(base64ToWords(answers[0].scores), base64ToWords(answers[1].scores));
        scores = rows.map((_, r) => Array.from(words.subarray(r * classes, (r + 1) * classes), (w) => decode(w, info.fracBits)));
        labels = scores.map((row) => row.indexOf(Math.max(...row)));
      }
      if (output !== 'scores') {
        const argmax = reconstruct(base64ToWords(answers[0].argmax), base64ToWords(answers[1].argmax));
        labels = Array.from(argmax, (w) => Number(BigInt.asIntN(MOD, w)));
      }
      return { scores, labels, rounds: answers[0].rounds, bytesPerParty: answers[0].bytesSent };
    }
  }

  return { VeilSmpcClient, encode, decode, split, reconstruct, wordsToBase64, base64ToWords, randomWords };
}));
