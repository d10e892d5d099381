package dev.veil.functions.encrypted;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.veil.he.CkksContext;
import dev.veil.he.CkksEncoder;
import dev.veil.he.CkksParameters;
import dev.veil.he.Evaluator;
import dev.veil.he.ParmsId;
import dev.veil.he.Plaintext;

/**
 * The shared, key-independent part of evaluation for one parameter set: context, encoder,
 * evaluator, and the model's plaintexts (weight diagonals, biases) encoded once per level and
 * reused by every request.
 */
public final class SealEngine {

  private final CkksContext context;
  private final CkksEncoder encoder;
  private final Evaluator evaluator;

  /**
   * Keyed by the vector's identity (the plans' arrays live as long as the plans), level and scale;
   * bounded because the scale of added biases follows the client's choice of encryption scale.
   */
  private final Cache<PlainKey, Plaintext> plaintexts =
      Caffeine.newBuilder().maximumSize(256).build();

  public SealEngine(CkksParameters parameters, long maxLoadBytes) {
    this.context = CkksContext.create(parameters, maxLoadBytes);
    this.encoder = new CkksEncoder(context);
    this.evaluator = new Evaluator(context);
  }

  public CkksContext context() {
    return context;
  }

  public CkksEncoder encoder() {
    return encoder;
  }

  public Evaluator evaluator() {
    return evaluator;
  }

  /**
   * The cached encoding of {@code values}; the caller must not close it (eviction leaves it to the
   * Cleaner).
   */
  Plaintext encodeCached(double[] values, double scale, ParmsId level) {
    return plaintexts.get(
        new PlainKey(values, level, scale), k -> encoder.encode(values, scale, level));
  }

  private record PlainKey(double[] values, ParmsId level, double scale) {
    @Override
    public boolean equals(Object o) {
      return o instanceof PlainKey k
          && k.values == values
          && k.level.equals(level)
          && k.scale == scale;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(values) * 31 + level.hashCode() * 7 + Double.hashCode(scale);
    }
  }
}
