// Long-lived node-seal (Microsoft SEAL 4.1 in WebAssembly) process that he-native's Java tests and
// benchmark drive: one JSON request per stdin line, one JSON answer per stdout line. Serialized objects
// travel as files in the work directory given as the first argument (keys are tens of megabytes).
//
// Request:  {"id": 7, "cmd": "encrypt", ...arguments}
// Answer:   {"id": 7, "ok": true, ...results}  or  {"id": 7, "ok": false, "error": "message"}
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const SEAL = require('node-seal');

const workDir = process.argv[2] || fs.mkdtempSync('/tmp/seal-harness-');
let seal;
let fileCounter = 0;
// name -> { context, evaluator, encoder, keys: {secretKey, publicKey, relinKeys, galoisKeys}, encryptor, decryptor }
const contexts = new Map();

function comprMode(name) {
  const mode = seal.ComprModeType[name || 'none'];
  if (mode === undefined) throw new Error(`unknown compression mode ${name}`);
  return mode;
}

function writeBlob(tag, bytes) {
  const file = path.join(workDir, `seal-${++fileCounter}-${tag}.bin`);
  fs.writeFileSync(file, bytes);
  return file;
}

function readBlob(file) {
  return new Uint8Array(fs.readFileSync(file));
}

function hexWords(parmsId) {
  return Array.from(parmsId.values, (w) => w.toString(16).padStart(16, '0'));
}

function ctxOf(req) {
  const c = contexts.get(req.ctx);
  if (!c) throw new Error(`no context named ${req.ctx}`);
  return c;
}

function loadCipher(c, file) {
  const ct = seal.CipherText();
  ct.loadArray(c.context, readBlob(file));
  return ct;
}

function saveCipher(ct, req, tag) {
  const file = writeBlob(tag, ct.saveArray(comprMode(req.compr)));
  ct.delete();
  return file;
}

// Encodes values (or one scalar repeated in every slot) at the level and scale of `like`.
function encodeLike(c, values, scale, parmsId) {
  const slots = c.encoder.slotCount;
  const full = new Float64Array(slots);
  if (values.length === 1) full.fill(values[0]);
  else full.set(values);
  const plain = c.encoder.encode(full, scale);
  c.evaluator.plainModSwitchTo(plain, parmsId, plain);
  return plain;
}

function levelParmsId(c, chainIndex) {
  let data = c.context.firstContextData;
  while (data.chainIndex > chainIndex) data = data.nextContextData;
  if (data.chainIndex !== chainIndex) throw new Error(`no level with chain index ${chainIndex}`);
  return data.parmsId;
}

function setKeys(c, keys) {
  for (const k of Object.values(c.keys)) if (k) k.delete();
  c.keys = keys;
  if (c.encryptor) c.encryptor.delete();
  if (c.decryptor) c.decryptor.delete();
  c.encryptor = keys.publicKey ? seal.Encryptor(c.context, keys.publicKey, keys.secretKey)
    : keys.secretKey ? seal.Encryptor(c.context, seal.PublicKey(), keys.secretKey) : null;
  c.decryptor = keys.secretKey ? seal.Decryptor(c.context, keys.secretKey) : null;
}

function median(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMicros(iterations, fn) {
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return median(samples);
}

const commands = {
  // {n, bits, compr?}: SEAL's parameters (CoeffModulus::Create) without a context, which costs seconds in
  // WebAssembly at N=16384 and more: their serialized form, primes and parms_id.
  parameters(req) {
    const parms = seal.EncryptionParameters(seal.SchemeType.ckks);
    parms.setPolyModulusDegree(req.n);
    parms.setCoeffModulus(seal.CoeffModulus.Create(req.n, Int32Array.from(req.bits)));
    const info = {
      parms: writeBlob('parms', parms.saveArray(comprMode(req.compr))),
      primes: Array.from(parms.coeffModulus, (q) => q.toString()),
      parmsId: hexWords(parms.parmsId),
    };
    parms.delete();
    return info;
  },

  // {ctx, n, bits} or {ctx, parms: file}: builds a context; reports its serialized parameters and chain.
  context(req) {
    const parms = seal.EncryptionParameters(seal.SchemeType.ckks);
    if (req.parms) {
      parms.loadArray(readBlob(req.parms));
    } else {
      parms.setPolyModulusDegree(req.n);
      parms.setCoeffModulus(seal.CoeffModulus.Create(req.n, Int32Array.from(req.bits)));
    }
    const context = seal.Context(parms, true, seal.SecurityLevel.tc128);
    if (!context.parametersSet()) throw new Error(`SEAL rejects the parameters: ${context.toHuman()}`);
    const old = contexts.get(req.ctx);
    if (old) for (const o of [old.evaluator, old.encoder, old.encryptor, old.decryptor, ...Object.values(old.keys)]) if (o) o.delete();
    const c = { context, evaluator: seal.Evaluator(context), encoder: seal.CKKSEncoder(context), keys: {} };
    contexts.set(req.ctx, c);
    const chain = [];
    for (let data = context.keyContextData; ; data = data.nextContextData) {
      chain.push({
        chainIndex: data.chainIndex,
        parmsId: hexWords(data.parmsId),
        primes: Array.from(data.parms.coeffModulus, (q) => q.toString()),
      });
      if (data.chainIndex === 0) break;
    }
    return { parms: writeBlob('parms', parms.saveArray(comprMode(req.compr))), chain, slotCount: c.encoder.slotCount };
  },

  // {ctx, steps?, comprs?, forms?}: fresh keys, saved in each compression mode of comprs (default
  // ['none']); answers {files: {mode: {name: file}}}. forms 'both' (default) saves the plain and the
  // seeded (serializable) relin/Galois keys; 'seeded' only the seeded ones (large N); 'unsaved' keeps
  // plain keys in this process for its own evaluation (the benchmark) and saves only the secret key.
  keygen(req) {
    const c = ctxOf(req);
    const forms = req.forms || 'both';
    const gen = seal.KeyGenerator(c.context);
    const steps = req.steps ? Int32Array.from(req.steps) : undefined;
    const keys = { secretKey: gen.secretKey(), publicKey: gen.createPublicKey() };
    const seeded = {};
    if (forms !== 'unsaved') {
      seeded.publicKeySeeded = gen.createPublicKeySerializable();
      seeded.relinKeysSeeded = gen.createRelinKeysSerializable();
      seeded.galoisKeysSeeded = gen.createGaloisKeysSerializable(steps);
    }
    if (forms !== 'seeded') {
      keys.relinKeys = gen.createRelinKeys();
      keys.galoisKeys = gen.createGaloisKeys(steps);
    }
    const files = {};
    for (const name of req.comprs || ['none']) {
      const compr = comprMode(name);
      const out = { secretKey: writeBlob('sk', keys.secretKey.saveArray(compr)) };
      if (forms !== 'unsaved') {
        for (const [tag, s] of Object.entries(seeded)) out[tag] = writeBlob(tag, s.saveArray(compr));
      }
      if (forms === 'both') {
        out.relinKeys = writeBlob('rk', keys.relinKeys.saveArray(compr));
        out.galoisKeys = writeBlob('gk', keys.galoisKeys.saveArray(compr));
      }
      files[name] = out;
    }
    for (const s of Object.values(seeded)) s.delete();
    gen.delete();
    setKeys(c, keys);
    return { files };
  },

  // {ctx, secretKey?, publicKey?, relinKeys?, galoisKeys?}: adopts keys our engine made (files).
  loadKeys(req) {
    const c = ctxOf(req);
    const kinds = { secretKey: seal.SecretKey, publicKey: seal.PublicKey, relinKeys: seal.RelinKeys, galoisKeys: seal.GaloisKeys };
    const keys = {};
    for (const [name, make] of Object.entries(kinds)) {
      if (!req[name]) continue;
      keys[name] = make();
      keys[name].loadArray(c.context, readBlob(req[name]));
    }
    setKeys(c, keys);
    return {};
  },

  // {ctx, values, scale, mode: public|symmetric|seeded, chainIndex?, compr}
  encrypt(req) {
    const c = ctxOf(req);
    const level = req.chainIndex === undefined ? c.context.firstParmsId : levelParmsId(c, req.chainIndex);
    const plain = encodeLike(c, req.values, req.scale, level);
    let bytes;
    if (req.mode === 'seeded') {
      const s = c.encryptor.encryptSymmetricSerializable(plain);
      bytes = s.saveArray(comprMode(req.compr));
      s.delete();
    } else {
      const ct = req.mode === 'symmetric' ? c.encryptor.encryptSymmetric(plain) : c.encryptor.encrypt(plain);
      bytes = ct.saveArray(comprMode(req.compr));
      ct.delete();
    }
    plain.delete();
    return { ct: writeBlob('ct', bytes) };
  },

  // {ctx, ct, count?}: decrypts with the context's secret key; the first `count` real slot values.
  decrypt(req) {
    const c = ctxOf(req);
    const ct = loadCipher(c, req.ct);
    const plain = c.decryptor.decrypt(ct);
    const values = Array.from(c.encoder.decode(plain).subarray(0, req.count || c.encoder.slotCount));
    const info = { values, scale: ct.scale, size: ct.size, parmsId: hexWords(ct.parmsId) };
    plain.delete();
    ct.delete();
    return info;
  },

  // {ctx, op, a, b?, values?, scale?, steps?, chainIndex?, compr}: one evaluator operation with the
  // context's keys; saves the result (the reverse direction of the compatibility tests).
  eval(req) {
    const c = ctxOf(req);
    const ev = c.evaluator;
    const a = loadCipher(c, req.a);
    const b = req.b ? loadCipher(c, req.b) : null;
    const plain = req.values ? encodeLike(c, req.values, req.scale, a.parmsId) : null;
    let out;
    switch (req.op) {
      case 'add': out = ev.add(a, b); break;
      case 'multiplyPlain': out = ev.multiplyPlain(a, plain); break;
      case 'multiply': out = ev.multiply(a, b); break;
      case 'square': out = ev.square(a); break;
      case 'relinearize': out = ev.relinearize(a, c.keys.relinKeys); break;
      case 'rescale': out = ev.rescaleToNext(a); break;
      case 'modSwitchTo': out = ev.cipherModSwitchTo(a, levelParmsId(c, req.chainIndex)); break;
      case 'rotate': out = ev.rotateVector(a, req.steps, c.keys.galoisKeys); break;
      case 'conjugate': out = ev.complexConjugate(a, c.keys.galoisKeys); break;
      default: throw new Error(`unknown op ${req.op}`);
    }
    for (const o of [a, b, plain]) if (o) o.delete();
    return { ct: saveCipher(out, req, req.op) };
  },

  // {ctx, iterations}: node-seal timings (median microseconds) of the benchmark's operations, with keys
  // from `keygen` (galois keys must include steps 1..16 for the 16-rotation batch).
  bench(req) {
    const c = ctxOf(req);
    const ev = c.evaluator;
    const n = req.iterations || 10;
    const values = Float64Array.from({ length: c.encoder.slotCount }, (_, i) => (i % 17) / 17);
    const scale = req.scale;
    const plain = c.encoder.encode(values, scale);
    const a = c.encryptor.encrypt(plain);
    const b = c.encryptor.encrypt(plain);
    const primes = c.context.firstContextData.parms.coeffModulus.length;
    const results = {};
    // node-seal exposes no single-polynomial NTT; a ciphertext's NTT transforms 2 * primes polynomials.
    const tmp = a.clone();
    results.ntt_inverse = timeMicros(n, () => ev.cipherTransformFromNtt(a, tmp)) / (2 * primes);
    results.ntt_forward = timeMicros(n, () => ev.cipherTransformToNtt(tmp, b)) / (2 * primes);
    b.copy(a);
    results.multiply_plain = timeMicros(n, () => ev.multiplyPlain(a, plain, tmp));
    const product = ev.multiply(a, b);
    results.relinearize = timeMicros(n, () => ev.relinearize(product, c.keys.relinKeys, tmp));
    results.multiply_relinearize = timeMicros(n, () => {
      ev.multiply(a, b, tmp);
      ev.relinearize(tmp, c.keys.relinKeys, tmp);
    });
    const squared = ev.multiplyPlain(a, plain);
    results.rescale = timeMicros(n, () => ev.rescaleToNext(squared, tmp));
    results.rotate_one = timeMicros(n, () => ev.rotateVector(a, 1, c.keys.galoisKeys, tmp));
    results.rotate_16_batch = timeMicros(Math.max(3, Math.floor(n / 4)), () => {
      for (let s = 1; s <= 16; s++) ev.rotateVector(a, s, c.keys.galoisKeys, tmp);
    });
    for (const o of [plain, a, b, tmp, product, squared]) o.delete();
    return { micros: results };
  },
};

async function main() {
  seal = await SEAL();
  fs.mkdirSync(workDir, { recursive: true });
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  process.stdout.write(JSON.stringify({ id: 0, ok: true, ready: true, version: seal.Version }) + '\n');
  for await (const line of rl) {
    if (!line.trim()) continue;
    let req = { id: -1 };
    let answer;
    try {
      req = JSON.parse(line);
      if (req.cmd === 'quit') break;
      const handler = commands[req.cmd];
      if (!handler) throw new Error(`unknown command ${req.cmd}`);
      answer = { id: req.id, ok: true, ...handler(req) };
    } catch (e) {
      // node-seal throws raw numbers (WebAssembly exception pointers) for SEAL errors; decode them.
      const message = typeof e === 'number' ? seal.Exception.safe(e).message : (e && e.message) || String(e);
      answer = { id: req.id, ok: false, error: message };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
  // 'quit' leaves the loop while stdin may still be open, which would keep node alive: let go of it.
  rl.close();
  process.stdin.destroy();
}

main().catch((e) => {
  process.stderr.write(`seal-harness: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
