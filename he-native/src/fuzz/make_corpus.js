// Writes real SEAL (node-seal 6.0.3) serialized objects for the serialization self-test and as the fuzz
// seed corpus. Usage: node make_corpus.js <out-dir> [set...]   (sets: fuzz1k n8k n16k30 n16k40 n32k; default n8k)
// For each set: parms.none.bin, parms_ids.txt (one line per level, key level first, 4 hex words) and, per
// compression mode M, <obj>.M.bin for sk, pk, rk, gk, ct (public-key encryption), pt, and seeded forms
// pk_s, rk_s, gk_s, cts (symmetric); for each seeded object, <obj>.expanded.bin = node-seal's own
// uncompressed save after loading the seeded bytes.
'use strict';
const fs = require('fs');
const path = require('path');

function requireSeal() {
  const here = [__dirname, path.join(__dirname, '../test/node'), process.cwd()];
  for (const dir of here) {
    try { return require(require.resolve('node-seal', { paths: [dir] })); } catch (e) { /* try next */ }
  }
  throw new Error('node-seal not found: run `npm ci` in he-native/src/test/node (scripts/setup.sh does)');
}

const SETS = {
  // Deliberately tiny and insecure (security level none): small objects make fast fuzzing seeds.
  fuzz1k: { n: 1024, bits: [30, 30, 30], scale: 2 ** 25, steps: [1, -1], sec: 'none' },
  n8k: { n: 8192, bits: [60, 40, 40, 60], scale: 2 ** 40, steps: [1, -1, 2, 8] },
  n16k30: { n: 16384, bits: [40, 30, 30, 30, 30, 30, 30, 40], scale: 2 ** 30, steps: [1] },
  n16k40: { n: 16384, bits: [60, 40, 40, 40, 40, 40, 40, 40, 60], scale: 2 ** 40, steps: [1] },
  // Key-switching keys at N=32768 are hundreds of MB; that set covers the other objects only.
  n32k: { n: 32768, bits: [60, ...Array(18).fill(40), 60], scale: 2 ** 40, steps: null },
};

async function main() {
  const out = process.argv[2];
  const names = process.argv.length > 3 ? process.argv.slice(3) : ['n8k'];
  if (!out) throw new Error('usage: node make_corpus.js <out-dir> [set...]');
  const seal = await requireSeal()();
  const modes = { none: seal.ComprModeType.none, zlib: seal.ComprModeType.zlib, zstd: seal.ComprModeType.zstd };
  for (const name of names) {
    const set = SETS[name];
    if (!set) throw new Error(`unknown parameter set ${name}`);
    const dir = path.join(out, name);
    fs.mkdirSync(dir, { recursive: true });
    const write = (file, bytes) => fs.writeFileSync(path.join(dir, file), Buffer.from(bytes));

    const parms = seal.EncryptionParameters(seal.SchemeType.ckks);
    parms.setPolyModulusDegree(set.n);
    parms.setCoeffModulus(seal.CoeffModulus.Create(set.n, Int32Array.from(set.bits)));
    const context = seal.Context(parms, true, set.sec === 'none' ? seal.SecurityLevel.none : seal.SecurityLevel.tc128);
    if (!context.parametersSet()) throw new Error(`${name}: ${context.parametersSet()}`);
    write('parms.none.bin', parms.saveArray(seal.ComprModeType.none));
    const ids = [];
    const hex = (id) => Array.from(id.values, (v) => v.toString(16).padStart(16, '0')).join(' ');
    const last = hex(context.lastParmsId);
    // nextContextData never returns null in node-seal, so stop at the last level explicitly.
    for (let cd = context.keyContextData; ; cd = cd.nextContextData) {
      ids.push(hex(cd.parmsId));
      if (ids[ids.length - 1] === last) break;
    }
    fs.writeFileSync(path.join(dir, 'parms_ids.txt'), ids.join('\n') + '\n');

    const keygen = seal.KeyGenerator(context);
    const sk = keygen.secretKey();
    const pk = keygen.createPublicKey();
    const withKeys = set.steps !== null;
    const rk = withKeys ? keygen.createRelinKeys() : null;
    const steps = withKeys ? Int32Array.from(set.steps) : null;
    const gk = withKeys ? keygen.createGaloisKeys(steps) : null;
    const encoder = seal.CKKSEncoder(context);
    const values = Float64Array.from({ length: encoder.slotCount }, (_, i) => Math.sin(i) * 3);
    const pt = encoder.encode(values, set.scale);
    const encryptor = seal.Encryptor(context, pk, sk);
    const ct = encryptor.encrypt(pt);
    const seeded = {
      pk_s: [keygen.createPublicKeySerializable(), () => seal.PublicKey()],
      cts: [encryptor.encryptSymmetricSerializable(pt), () => seal.CipherText()],
    };
    if (withKeys) {
      seeded.rk_s = [keygen.createRelinKeysSerializable(), () => seal.RelinKeys()];
      seeded.gk_s = [keygen.createGaloisKeysSerializable(steps), () => seal.GaloisKeys()];
    }
    for (const [mode, m] of Object.entries(modes)) {
      write(`sk.${mode}.bin`, sk.saveArray(m));
      write(`pk.${mode}.bin`, pk.saveArray(m));
      if (withKeys) {
        write(`rk.${mode}.bin`, rk.saveArray(m));
        write(`gk.${mode}.bin`, gk.saveArray(m));
      }
      write(`ct.${mode}.bin`, ct.saveArray(m));
      write(`pt.${mode}.bin`, pt.saveArray(m));
      for (const [obj, [ser]] of Object.entries(seeded)) write(`${obj}.${mode}.bin`, ser.saveArray(m));
    }
    for (const [obj, [ser, make]] of Object.entries(seeded)) {
      const loaded = make();
      loaded.loadArray(context, ser.saveArray(seal.ComprModeType.none));
      write(`${obj}.expanded.bin`, loaded.saveArray(seal.ComprModeType.none));
    }
    // The same seeded ciphertext relabelled as SHAKE256 (prng type byte 2, 65 bytes from the end):
    // SEAL expands it with its Shake256PRNG, which exercises that stream against real SEAL.
    const shake = Uint8Array.from(seeded.cts[0].saveArray(seal.ComprModeType.none));
    shake[shake.length - 65] = 2;
    const shakeCt = seal.CipherText();
    shakeCt.loadArray(context, shake);
    write('cts_shake.none.bin', shake);
    write('cts_shake.expanded.bin', shakeCt.saveArray(seal.ComprModeType.none));
    console.log(`${name}: wrote ${fs.readdirSync(dir).length} files to ${dir}`);
  }
}

main().catch((e) => { console.error(e && e.message ? e.message : e); process.exit(1); });
