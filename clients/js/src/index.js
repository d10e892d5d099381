// Veil encrypted-inference client core: CKKS context and keys for a Veil function, the key bundle,
// encryption of packed samples, the HTTP call, decryption. Runs in Node and in browsers: it uses only
// node-seal (passed in), fetch and WebCrypto — no Node-only modules.
// UMD: CommonJS for Node and bundlers; a plain <script> in a browser gets globalThis.VeilHe and nothing else.
(function umd(root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.VeilHe = factory();
}(globalThis, () => {
  'use strict';

  const BUNDLE_MAGIC = 'VEILKEYS';
  const SECTION = { parameters: 1, galoisKeys: 2, relinKeys: 3 };

  /** GET <baseUrl>/api/<fn>/he-params: parameters, layout, Galois steps the server needs. */
  async function fetchHeParams(baseUrl, fn) {
    const res = await fetch(`${baseUrl}/api/${fn}/he-params`);
    if (!res.ok) throw new Error(`he-params of ${fn}: HTTP ${res.status}: ${await res.text()}`);
    return res.json();
  }

  /** The VEILKEYS container (documented in functions/README.md): magic, version, sections (kind, u32 LE length, bytes). */
  function encodeBundle(sections) {
    const parts = [[SECTION.parameters, sections.parameters], [SECTION.galoisKeys, sections.galoisKeys]];
    if (sections.relinKeys) parts.push([SECTION.relinKeys, sections.relinKeys]);
    const total = 10 + parts.reduce((n, [, b]) => n + 5 + b.length, 0);
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    for (let i = 0; i < BUNDLE_MAGIC.length; i++) out[i] = BUNDLE_MAGIC.charCodeAt(i);
    out[8] = 1;
    out[9] = parts.length;
    let at = 10;
    for (const [kind, bytes] of parts) {
      out[at] = kind;
      view.setUint32(at + 1, bytes.length, true);
      out.set(bytes, at + 5);
      at += 5 + bytes.length;
    }
    return out;
  }

  async function sha256Hex(bytes) {
    const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  /**
   * A client for one Veil encrypted function and one parameter set. Holds the secret key; nothing secret
   * leaves it except through secretKeyBytes() (for the caller to store locally).
   */
  class VeilHeClient {
    /**
     * @param seal       an initialised node-seal instance (`await require('node-seal')()` or the browser build)
     * @param heParams   the function's he-params document
     * @param options    { parameterSet: name (default: the first), secretKey: Uint8Array to restore keys }
     */
    constructor(seal, heParams, options = {}) {
      const set = options.parameterSet
        ? heParams.parameter_sets.find((s) => s.name === options.parameterSet)
        : heParams.parameter_sets[0];
      if (!set) {
        throw new Error(`${heParams.function} has no parameter set '${options.parameterSet}'; choose one of `
          + heParams.parameter_sets.map((s) => s.name).join(', '));
      }
      this.seal = seal;
      this.heParams = heParams;
      this.set = set;
      this.parms = seal.EncryptionParameters(seal.SchemeType.ckks);
      this.parms.setPolyModulusDegree(set.poly_modulus_degree);
      this.parms.setCoeffModulus(seal.CoeffModulus.Create(set.poly_modulus_degree, Int32Array.from(set.coeff_modulus_bits)));
      this.context = seal.Context(this.parms, true, seal.SecurityLevel.tc128);
      if (!this.context.parametersSet()) {
        throw new Error(`SEAL rejects parameter set ${set.name}: ${this.context.toHuman()}`);
      }
      this.encoder = seal.CKKSEncoder(this.context);
      this.scale = 2 ** set.scale_bits;
      this.keyGenerator = options.secretKey
        ? seal.KeyGenerator(this.context, this.loadSecretKey(options.secretKey))
        : seal.KeyGenerator(this.context);
      this.secretKey = this.keyGenerator.secretKey();
      // node-seal's Encryptor wants a valid public key even for symmetric encryption
      this.publicKey = this.keyGenerator.createPublicKey();
      this.encryptor = seal.Encryptor(this.context, this.publicKey, this.secretKey);
      this.decryptor = seal.Decryptor(this.context, this.secretKey);
      this.window = heParams.input.window;
      this.samplesPerCiphertext = set.slot_count / this.window;
    }

    loadSecretKey(bytes) {
      const sk = this.seal.SecretKey();
      sk.loadArray(this.context, bytes);
      return sk;
    }

    secretKeyBytes() {
      return this.secretKey.saveArray(this.seal.ComprModeType.zstd);
    }

    /**
     * The key bundle the server needs: parameters, Galois keys for exactly the server's rotation steps, relin
     * keys only when the model multiplies ciphertexts — all in SEAL's seeded, zstd-compressed form.
     * Returns { bytes, fingerprint, sizes }.
     */
    async keyBundle() {
      const zstd = this.seal.ComprModeType.zstd;
      const parameters = this.parms.saveArray(zstd);
      const galois = this.keyGenerator.createGaloisKeysSerializable(Int32Array.from(this.heParams.galois_steps));
      const galoisKeys = galois.saveArray(zstd);
      galois.delete();
      let relinKeys = null;
      if (this.heParams.relin_keys) {
        const relin = this.keyGenerator.createRelinKeysSerializable();
        relinKeys = relin.saveArray(zstd);
        relin.delete();
      }
      const bytes = encodeBundle({ parameters, galoisKeys, relinKeys });
      return {
        bytes,
        fingerprint: await sha256Hex(galoisKeys),
        sizes: {
          parameters: parameters.length,
          galois_keys: galoisKeys.length,
          relin_keys: relinKeys ? relinKeys.length : 0,
          total: bytes.length,
          galois_steps: this.heParams.galois_steps.length,
        },
      };
    }

    /** Standardizes (when the function says so) and lays samples out as the server expects. */
    pack(samples) {
      const { features, period, standardize } = this.heParams.input;
      if (samples.length < 1 || samples.length > this.samplesPerCiphertext) {
        throw new Error(`pack 1 to ${this.samplesPerCiphertext} samples per ciphertext, got ${samples.length}`);
      }
      const slots = new Float64Array(this.set.slot_count);
      samples.forEach((x, s) => {
        if (x.length !== features) throw new Error(`sample ${s} has ${x.length} features; ${this.heParams.function} expects ${features}`);
        const v = standardize ? x.map((xi, i) => (xi - standardize.mean[i]) / standardize.std[i]) : x;
        for (let j = 0; j < this.window; j++) {
          const k = j % period;
          slots[s * this.window + j] = k < features ? v[k] : 0;
        }
      });
      return slots;
    }

    /** Seeded symmetric encryption of up to samplesPerCiphertext samples (about half the size of a public-key one). */
    encrypt(samples) {
      const plain = this.encoder.encode(this.pack(samples), this.scale);
      const serializable = this.encryptor.encryptSymmetricSerializable(plain);
      const bytes = serializable.saveArray(this.seal.ComprModeType.zstd);
      serializable.delete();
      plain.delete();
      return bytes;
    }

    /** The decrypted scores of the first `count` samples of a result ciphertext. */
    decrypt(bytes, count) {
      const ct = this.seal.CipherText();
      ct.loadArray(this.context, bytes);
      const plain = this.decryptor.decrypt(ct);
      const slots = this.encoder.decode(plain);
      ct.delete();
      plain.delete();
      const outputs = this.heParams.output.count;
      const scores = [];
      for (let s = 0; s < count; s++) scores.push(Array.from(slots.subarray(s * this.window, s * this.window + outputs)));
      return scores;
    }

    /** Label and, for softmax functions, probabilities from decrypted scores. */
    postprocess(scores) {
      let label = 0;
      for (let k = 1; k < scores.length; k++) if (scores[k] > scores[label]) label = k;
      if (this.heParams.output.postprocess !== 'softmax') return { label, scores };
      const max = Math.max(...scores);
      const e = scores.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      return { label, probabilities: e.map((v) => v / sum), scores };
    }

    /**
     * POSTs a ciphertext (application/octet-stream) and returns the encrypted result's bytes. functionKey: the
     * host's function key (sent as x-functions-key) when the function requires one.
     */
    async evaluate(baseUrl, ciphertext, { keyId, container, fingerprint, functionKey }) {
      const query = new URLSearchParams({ key_id: keyId, container });
      if (fingerprint) query.set('key_fingerprint', fingerprint);
      const res = await fetch(`${baseUrl}/api/${this.heParams.function}?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', ...(functionKey ? { 'x-functions-key': functionKey } : {}) },
        body: ciphertext,
      });
      if (!res.ok) {
        const error = new Error(`${this.heParams.function}: HTTP ${res.status}: ${await res.text()}`);
        error.status = res.status;
        throw error;
      }
      return new Uint8Array(await res.arrayBuffer());
    }

    /** Frees the WebAssembly objects. */
    delete() {
      for (const o of [this.encryptor, this.decryptor, this.publicKey, this.secretKey, this.keyGenerator, this.encoder, this.context, this.parms]) {
        o.delete();
      }
    }
  }

  return { VeilHeClient, fetchHeParams, encodeBundle, sha256Hex };
}));
