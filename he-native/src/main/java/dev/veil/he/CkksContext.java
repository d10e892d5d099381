package dev.veil.he;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A validated set of CKKS parameters with its modulus switching chain: the key level (all primes)
 * and the data levels, each dropping one more prime. Immutable and safe to share between threads;
 * objects loaded or created against it must only be combined with objects of the same context.
 */
public final class CkksContext extends NativeObject {
  /**
   * Default bound on one serialized object's declared size: large enough for N=32768 Galois keys.
   */
  public static final long DEFAULT_MAX_LOAD_BYTES = 2L << 30;

  private final CkksParameters parameters;
  private final long maxLoadBytes;
  private final List<ParmsId> chain;

  private CkksContext(CkksParameters parameters, long maxLoadBytes, long handle) {
    super(CONTEXT, handle);
    this.parameters = parameters;
    this.maxLoadBytes = maxLoadBytes;
    long[] words = Native.contextChain(handle);
    List<ParmsId> ids = new ArrayList<>(words.length / 4);
    for (int i = 0; i < words.length; i += 4) {
      ids.add(new ParmsId(words[i], words[i + 1], words[i + 2], words[i + 3]));
    }
    this.chain = Collections.unmodifiableList(ids);
  }

  public static CkksContext create(CkksParameters parameters) {
    return create(parameters, DEFAULT_MAX_LOAD_BYTES);
  }

  /**
   * @param maxLoadBytes the largest serialized object (header's declared size, also after
   *     decompression) that loads against this context accept; larger ones fail before allocating
   */
  public static CkksContext create(CkksParameters parameters, long maxLoadBytes) {
    if (maxLoadBytes <= 16) {
      throw new HeException("maxLoadBytes must exceed the 16-byte header, got " + maxLoadBytes);
    }
    NativeLoader.ensureLoaded();
    long handle =
        Native.contextCreate(parameters.polyModulusDegree(), parameters.primes(), maxLoadBytes);
    return new CkksContext(parameters, maxLoadBytes, handle);
  }

  public CkksParameters parameters() {
    return parameters;
  }

  public int polyModulusDegree() {
    return parameters.polyModulusDegree();
  }

  /** Number of complex slots a plaintext holds: N/2. */
  public int slotCount() {
    return parameters.polyModulusDegree() / 2;
  }

  public long maxLoadBytes() {
    return maxLoadBytes;
  }

  /** The key level: all primes including the special prime. Keys live here. */
  public ParmsId keyParmsId() {
    return chain.get(0);
  }

  /** The top data level, where fresh ciphertexts start. */
  public ParmsId firstParmsId() {
    return chain.get(chain.size() > 1 ? 1 : 0);
  }

  /** The lowest data level (a single prime left). */
  public ParmsId lastParmsId() {
    return chain.get(chain.size() - 1);
  }

  /** Every level: the key level first, then the data levels from the top one down to the last. */
  public List<ParmsId> chain() {
    return chain;
  }

  /** The data levels from the top one down to the last. */
  public List<ParmsId> dataLevels() {
    return chain.size() > 1 ? chain.subList(1, chain.size()) : chain;
  }

  /**
   * SEAL's chain index of a level: 0 for the last level, counting up to the key level. Throws when
   * the id is not a level of this context.
   */
  public int chainIndex(ParmsId parmsId) {
    int i = chain.indexOf(parmsId);
    if (i < 0) {
      throw new HeException("parms_id " + parmsId + " is not a level of this context");
    }
    return chain.size() - 1 - i;
  }

  /** Number of primes at a level. */
  public int primeCount(ParmsId parmsId) {
    return chainIndex(parmsId) + 1;
  }
}
