package dev.veil.functions.encrypted;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.functions.keys.KeyBundle;
import dev.veil.he.Ciphertext;
import dev.veil.he.CkksContext;
import dev.veil.he.CkksEncoder;
import dev.veil.he.CkksParameters;
import dev.veil.he.Compression;
import dev.veil.he.Decryptor;
import dev.veil.he.Encryptor;
import dev.veil.he.KeyGenerator;
import dev.veil.he.Plaintext;
import java.util.ArrayList;
import java.util.List;

/**
 * The Java counterpart of clients/js: for one function's he-params and one parameter set, creates
 * keys, the key bundle, encrypts packed samples and decrypts results, with he-native on the client
 * side. Holds the secret key; closes its native objects on {@link #close()}.
 */
public final class EncryptedClient implements AutoCloseable {

  private final JsonNode heParams;
  private final CkksContext context;
  private final CkksEncoder encoder;
  private final KeyGenerator keyGenerator;
  private final Encryptor encryptor;
  private final Decryptor decryptor;
  private final double scale;
  private final int window;
  private final int slotCount;

  /**
   * @param parameterSet a name from he-params' parameter_sets, or null for the first (default)
   */
  public EncryptedClient(JsonNode heParams, String parameterSet) {
    this.heParams = heParams;
    JsonNode set = null;
    for (JsonNode s : heParams.get("parameter_sets")) {
      if (parameterSet == null || parameterSet.equals(s.get("name").asText())) {
        set = s;
        break;
      }
    }
    if (set == null) {
      throw new IllegalArgumentException(
          "no parameter set '" + parameterSet + "' in " + heParams.get("function"));
    }
    int n = set.get("poly_modulus_degree").asInt();
    int[] bits = new int[set.get("coeff_modulus_bits").size()];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = set.get("coeff_modulus_bits").get(i).asInt();
    }
    this.context = CkksContext.create(CkksParameters.withBitSizes(n, bits));
    this.encoder = new CkksEncoder(context);
    this.keyGenerator = new KeyGenerator(context);
    this.encryptor = new Encryptor(context, keyGenerator.secretKey());
    this.decryptor = new Decryptor(context, keyGenerator.secretKey());
    this.scale = Math.pow(2, set.get("scale_bits").asInt());
    this.window = heParams.get("input").get("window").asInt();
    this.slotCount = context.slotCount();
  }

  public int slotCount() {
    return slotCount;
  }

  public int samplesPerCiphertext() {
    return slotCount / window;
  }

  /**
   * A bundle with the server's Galois steps (and relin keys when it needs them), seeded and
   * zstd-compressed.
   */
  public KeyBundle keyBundle() {
    List<Integer> steps = new ArrayList<>();
    heParams.get("galois_steps").forEach(s -> steps.add(s.asInt()));
    return keyBundle(
        steps.stream().mapToInt(Integer::intValue).toArray(),
        heParams.get("relin_keys").asBoolean());
  }

  /** A bundle with exactly these rotation steps (tests use it to build bundles that do not fit). */
  public KeyBundle keyBundle(int[] steps, boolean relinKeys) {
    return new KeyBundle(
        context.parameters().save(Compression.ZSTD),
        keyGenerator.createGaloisKeysSeeded(Compression.ZSTD, steps),
        relinKeys ? keyGenerator.createRelinKeysSeeded(Compression.ZSTD) : null);
  }

  /**
   * SEAL's default Galois keys (every power-of-two step, both ways), as TenSEAL clients upload
   * them.
   */
  public KeyBundle keyBundleWithDefaultSteps(boolean relinKeys) {
    return new KeyBundle(
        context.parameters().save(Compression.ZSTD),
        keyGenerator.createGaloisKeysSeeded(Compression.ZSTD),
        relinKeys ? keyGenerator.createRelinKeysSeeded(Compression.ZSTD) : null);
  }

  /**
   * Standardizes when he-params says so and lays samples out across their windows, as the JS client
   * does.
   */
  public double[] pack(List<double[]> samples) {
    JsonNode input = heParams.get("input");
    int features = input.get("features").asInt();
    int period = input.get("period").asInt();
    JsonNode standardize = input.get("standardize");
    if (samples.isEmpty() || samples.size() > samplesPerCiphertext()) {
      throw new IllegalArgumentException(
          "pack 1 to " + samplesPerCiphertext() + " samples, got " + samples.size());
    }
    double[] slots = new double[slotCount];
    for (int s = 0; s < samples.size(); s++) {
      double[] x = samples.get(s);
      if (x.length != features) {
        throw new IllegalArgumentException(
            "sample " + s + " has " + x.length + " features, expected " + features);
      }
      for (int j = 0; j < window; j++) {
        int k = j % period;
        double v = 0;
        if (k < features) {
          v =
              standardize == null
                  ? x[k]
                  : (x[k] - standardize.get("mean").get(k).asDouble())
                      / standardize.get("std").get(k).asDouble();
        }
        slots[s * window + j] = v;
      }
    }
    return slots;
  }

  /** Seeded symmetric encryption of packed samples. */
  public byte[] encrypt(List<double[]> samples) {
    return encryptSlots(pack(samples));
  }

  /** Seeded symmetric encryption of a raw slot vector. */
  public byte[] encryptSlots(double[] slots) {
    try (Plaintext plain = encoder.encode(slots, scale)) {
      return encryptor.encryptSeeded(plain, Compression.ZSTD);
    }
  }

  /** All decrypted slots of a ciphertext. */
  public double[] decryptSlots(byte[] ciphertext) {
    try (Ciphertext ct = Ciphertext.load(context, ciphertext);
        Plaintext plain = decryptor.decrypt(ct)) {
      return encoder.decode(plain);
    }
  }

  /** The first {@code count} samples' scores from a result ciphertext. */
  public double[][] decrypt(byte[] result, int count) {
    int outputs = heParams.get("output").get("count").asInt();
    double[] slots = decryptSlots(result);
    double[][] out = new double[count][outputs];
    for (int s = 0; s < count; s++) {
      System.arraycopy(slots, s * window, out[s], 0, outputs);
    }
    return out;
  }

  @Override
  public void close() {
    decryptor.close();
    encryptor.close();
    keyGenerator.close();
    encoder.close();
    context.close();
  }
}
