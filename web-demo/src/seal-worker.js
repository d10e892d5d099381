// The CKKS work of the demo page (keys, encryption, decryption) in a worker, so the page stays responsive while
// SEAL generates keys for seconds. The page does all the network calls; this worker makes none but fetching
// seal.wasm. The secret keys live here, in the page's own worker, and are never sent anywhere.
import SEAL from 'node-seal/throws_wasm_cf_worker_es.js';
import { VeilHeClient } from '../../clients/js/src/index.js';

// node-seal's Cloudflare-worker build takes a compiled module and makes no new Function/eval, so the page's
// policy needs only 'wasm-unsafe-eval'
let seal;
const clients = new Map(); // function name -> VeilHeClient

const operations = {
  async keys({ heParams, parameterSet }) {
    seal ??= WebAssembly.compileStreaming(fetch('seal.wasm')).then((module) => SEAL(module));
    const client = new VeilHeClient(await seal, heParams, { parameterSet });
    clients.get(heParams.function)?.delete();
    clients.set(heParams.function, client);
    const { bytes, fingerprint } = await client.keyBundle();
    return { bytes, fingerprint };
  },
  encrypt({ fn, sample }) {
    return clients.get(fn).encrypt([sample]);
  },
  decrypt({ fn, bytes }) {
    return clients.get(fn).decrypt(bytes, 1)[0];
  },
};

self.addEventListener('message', async ({ data: { id, op, args } }) => {
  try {
    self.postMessage({ id, result: await operations[op](args) });
  } catch (e) {
    self.postMessage({ id, error: e.message || String(e) });
  }
});
