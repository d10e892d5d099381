const SEAL = require('node-seal');
(async () => {
  const seal = await SEAL();
  const out = {};
  for (const [n, bits] of [[8192,[60,40,40,60]],[16384,[40,30,30,30,30,30,30,40]],[16384,[60,40,40,40,40,40,40,40,60]]]) {
    const parms = seal.EncryptionParameters(seal.SchemeType.ckks);
    parms.setPolyModulusDegree(n);
    parms.setCoeffModulus(seal.CoeffModulus.Create(n, Int32Array.from(bits)));
    const ctx = seal.Context(parms, true, seal.SecurityLevel.tc128);
    const primes = Array.from(parms.coeffModulus.toArray ? parms.coeffModulus.toArray() : [], m=>m.toString());
    let ids = [];
    let cd = ctx.keyContextData;
    while (cd) { ids.push(Array.from(cd.parmsId.values, w=>w.toString(16).padStart(16,'0')).join('')); cd = cd.nextContextData; }
    const enc = seal.CKKSEncoder(ctx);
    const vals = Float64Array.from({length: enc.slotCount}, (_, i) => Math.sin(i*0.37)*3.5 + (i%7)*0.25);
    const pt = enc.encode(vals, Math.pow(2, bits[1]));
    const bytes = pt.saveArray(seal.ComprModeType.none);
    const k = bits.length - 1;
    const data = Buffer.from(bytes).subarray(bytes.length - n*k*8);
    const crypto = require('crypto');
    out[n+':'+bits.join(',')] = {primes, ids, scale: Math.pow(2,bits[1]), pt_sha256: crypto.createHash('sha256').update(data).digest('hex'), first: Array.from({length:4}, (_,i)=>data.readBigUInt64LE(i*8).toString())};
  }
  console.log(JSON.stringify(out, null, 1));
})();
