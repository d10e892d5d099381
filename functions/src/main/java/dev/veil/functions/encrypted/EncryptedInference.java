package dev.veil.functions.encrypted;

import dev.veil.functions.http.FunctionFailure;
import dev.veil.functions.keys.KeyCache;
import dev.veil.functions.keys.KeyStore;
import dev.veil.functions.keys.KeyStoreSettings;
import dev.veil.he.Ciphertext;
import dev.veil.he.Compression;
import dev.veil.he.HeException;
import dev.veil.he.ParmsId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves one encrypted function: loads the client's keys through the key cache, checks that keys
 * and ciphertext fit the model, evaluates, and returns the encrypted scores. Also describes the
 * contract for clients ({@link #heParams()}).
 */
public final class EncryptedInference {

  private final EncryptedFunctionSpec spec;
  private final KeyStoreSettings settings;
  private final KeyStore defaultStore;
  private final KeyCache<SealKeys> keys;
  private final Map<Integer, EncryptedModel> models = new ConcurrentHashMap<>();

  public EncryptedInference(
      EncryptedFunctionSpec spec,
      KeyStoreSettings settings,
      KeyStore defaultStore,
      KeyCache<SealKeys> keys) {
    this.spec = spec;
    this.settings = settings;
    this.defaultStore = defaultStore;
    this.keys = keys;
  }

  public EncryptedFunctionSpec spec() {
    return spec;
  }

  /** Where this function reads key bundles when a request names no storage of its own. */
  KeyStore defaultStore() {
    return defaultStore;
  }

  KeyStoreSettings settings() {
    return settings;
  }

  /**
   * The response body holding the encrypted result; its slots follow the layout {@link #heParams()}
   * describes.
   */
  public record Result(byte[] body, EncryptedModel model) {}

  /**
   * Evaluates one request and writes the result in the given shape. Blocks (key download on a cold
   * cache, evaluation): call it on a worker thread.
   *
   * @throws FunctionFailure bad request, keys or ciphertext not fitting (400)
   * @throws dev.veil.functions.keys.KeyBundleNotFoundException no bundle under the key id (404)
   * @throws dev.veil.functions.keys.InvalidKeyBundleException the stored bundle is unusable (400)
   */
  public Result evaluate(EncryptedRequest request, ResultBody shape) {
    return evaluate(request, shape, new StageTimes());
  }

  /**
   * {@link #evaluate(EncryptedRequest, ResultBody)}, marking the end of each stage in {@code
   * times}.
   */
  Result evaluate(EncryptedRequest request, ResultBody shape, StageTimes times) {
    KeyStore store =
        request.connectionString() == null
            ? defaultStore
            : settings.storeForRequest(request.connectionString());
    SealKeys sealKeys = keys.await(store, request.keyRef());
    if (request.keyFingerprint() != null
        && !request.keyFingerprint().equals(sealKeys.fingerprint())) {
      throw FunctionFailure.badInput(
          "the ciphertext was made for another key bundle: key_fingerprint "
              + request.keyFingerprint()
              + " does not match the Galois keys stored under '"
              + request.keyRef()
              + "'");
    }
    var context = sealKeys.engine().context();
    EncryptedModel model = modelFor(context.slotCount());
    sealKeys.checkFits(model, spec.name());
    times.end("keys");

    Ciphertext input;
    try {
      input = request.ciphertext().load(context);
    } catch (HeException e) {
      throw FunctionFailure.badInput(
          "the ciphertext does not load under the key bundle's parameters: " + e.getMessage());
    }
    try (input) {
      checkCiphertext(input, model, context);
      times.end("load");
      SealOps ops = new SealOps(sealKeys.engine(), sealKeys.galoisKeys(), sealKeys.relinKeys());
      try (Ciphertext output = lowest(evaluate(model, ops, input), sealKeys.engine())) {
        times.end("eval");
        Compression compression = ResultBody.compressionFor(context.parameters().coeffModulus()[0]);
        Result result = new Result(shape.write(output, model, compression), model);
        times.end("save");
        return result;
      }
    }
  }

  /**
   * The result at the last level: the primes above it only carry the same values (CKKS drops them
   * without rounding), and the scores' scale fits the last prime (checked on the input), so the
   * client decrypts the same scores from a smaller response that is cheaper to save and send.
   */
  private static Ciphertext lowest(Ciphertext result, SealEngine engine) {
    ParmsId last = engine.context().lastParmsId();
    if (result.parmsId().equals(last)) return result;
    try (result) {
      return engine.evaluator().modSwitchTo(result, last);
    }
  }

  private static Ciphertext evaluate(EncryptedModel model, SealOps ops, Ciphertext input) {
    try {
      return model.evaluate(ops, input);
    } catch (HeException e) {
      // the engine refused an operation on this (already checked) ciphertext, e.g. its scale
      // overflowed
      throw FunctionFailure.badInput("the ciphertext cannot be evaluated: " + e.getMessage());
    }
  }

  private void checkCiphertext(
      Ciphertext input, EncryptedModel model, dev.veil.he.CkksContext context) {
    if (input.size() != 2) {
      throw FunctionFailure.badInput(
          "the ciphertext has "
              + input.size()
              + " polynomials; send a fresh"
              + " (size 2) ciphertext");
    }
    int levelsLeft = context.chainIndex(input.parmsId());
    if (levelsLeft < model.levels()) {
      throw FunctionFailure.badInput(
          "the ciphertext has "
              + levelsLeft
              + " level(s) left but "
              + spec.name()
              + " needs "
              + model.levels()
              + "; encrypt at the top level");
    }
    // The result keeps the input's scale in the last prime: leave at least 8 bits for the scores.
    // (A masked
    // lone linear layer ends at that bound itself; its weights and mask then share at least √q of
    // scale.)
    double lastPrimeBits = Math.log(context.parameters().coeffModulus()[0]) / Math.log(2);
    double scaleBits = Math.log(input.scale()) / Math.log(2);
    if (!(scaleBits >= 10) || scaleBits > lastPrimeBits - 8) {
      throw FunctionFailure.badInput(
          "the ciphertext's scale 2^"
              + Math.round(scaleBits)
              + " does not fit: use"
              + " a scale between 2^10 and 2^"
              + (int) (lastPrimeBits - 8)
              + " with these parameters");
    }
  }

  EncryptedModel modelFor(int slotCount) {
    try {
      return models.computeIfAbsent(slotCount, spec::model);
    } catch (IllegalArgumentException e) {
      throw FunctionFailure.badInput(
          "the key bundle's parameters do not fit " + spec.name() + ": " + e.getMessage());
    }
  }

  /** GET /api/&lt;function&gt;/he-params: everything a client needs to create keys and encrypt. */
  public Map<String, Object> heParams() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("function", spec.name());
    out.put("scheme", "ckks");
    List<Map<String, Object>> sets = new java.util.ArrayList<>();
    EncryptedModel any = null;
    for (EncryptedFunctionSpec.ParameterSet set : spec.parameterSets()) {
      EncryptedModel model = modelFor(set.slotCount());
      any = model;
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", set.name());
      s.put("poly_modulus_degree", set.polyModulusDegree());
      s.put("coeff_modulus_bits", set.coeffModulusBits());
      s.put("scale_bits", set.scaleBits());
      s.put("slot_count", set.slotCount());
      s.put("samples_per_ciphertext", model.samplesPerCiphertext());
      s.put("note", set.note());
      sets.add(s);
    }
    out.put("parameter_sets", sets);
    out.put("galois_steps", any.rotationSteps());
    out.put("relin_keys", any.needsRelinKeys());
    out.put("levels_needed", any.levels());
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("features", any.inputs());
    input.put("period", any.inputPeriod());
    input.put("window", any.window());
    input.put(
        "layout",
        "sample s occupies slots [s*window, (s+1)*window): its features, zero-padded to"
            + " 'period' values, repeated window/period times");
    if (spec.standardizeMean() != null) {
      input.put(
          "standardize",
          Map.of(
              "mean",
              spec.standardizeMean(),
              "std",
              spec.standardizeStd(),
              "rule",
              "encrypt (x - mean) / std"));
    }
    out.put("input", input);
    Map<String, Object> output = new LinkedHashMap<>();
    output.put("count", any.outputs());
    output.put(
        "layout",
        "score k of sample s is slot s*window + k; every other slot decrypts to noise only");
    output.put("postprocess", spec.postprocess());
    out.put("output", output);
    out.put(
        "rotations",
        Map.of(
            "per_ciphertext",
            any.rotationCount(),
            "baseline_per_sample",
            new BaselineModel(spec.layers(), any.slotCount()).rotationCount()));
    out.put(
        "request",
        Map.of(
            "json",
                "{\"data\": <base64 SEAL ciphertext>, \"key_id\": ..., \"container\": ..., \"key_fingerprint\":"
                    + " <sha-256 hex of the serialized Galois keys, optional>}",
            "octet_stream",
                "body = ciphertext; key_id, container, key_fingerprint as query parameters",
            "key_bundle",
                "VEILKEYS container of SEAL-serialized EncryptionParameters, GaloisKeys for galois_steps"
                    + " and, when relin_keys, RelinKeys; see functions/README.md"));
    return out;
  }
}
