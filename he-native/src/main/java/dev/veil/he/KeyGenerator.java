package dev.veil.he;

/**
 * Client-side key generation with randomness from the operating system and SEAL's distributions.
 * The seeded forms are what SEAL's {@code create_*_keys} Serializable objects save: the second
 * polynomial of every key replaced by the PRNG seed that regenerates it, roughly halving the size.
 */
public final class KeyGenerator extends NativeObject {
  private final CkksContext context;

  /** A generator with a fresh secret key. */
  public KeyGenerator(CkksContext context) {
    super(KEY_GENERATOR, create(context, null));
    this.context = context;
  }

  /** A generator for an existing secret key. */
  public KeyGenerator(CkksContext context, SecretKey secretKey) {
    super(KEY_GENERATOR, create(context, secretKey));
    this.context = context;
  }

  private static long create(CkksContext context, SecretKey secretKey) {
    try {
      return Native.keyGeneratorCreate(
          context.handle(), secretKey == null ? 0 : secretKey.handle());
    } finally {
      keepAlive(context, secretKey, null);
    }
  }

  /** A copy of the secret key. */
  public SecretKey secretKey() {
    try {
      return new SecretKey(Native.secretKey(handle()));
    } finally {
      keepAlive(this, null, null);
    }
  }

  public PublicKey createPublicKey() {
    try {
      return new PublicKey(Native.createPublicKey(handle()));
    } finally {
      keepAlive(this, null, null);
    }
  }

  public RelinKeys createRelinKeys() {
    try {
      return new RelinKeys(Native.createRelinKeys(handle()));
    } finally {
      keepAlive(this, null, null);
    }
  }

  /**
   * Keys for rotations by the given steps; with no steps, SEAL's default set (all powers of two,
   * both ways).
   */
  public GaloisKeys createGaloisKeys(int... steps) {
    try {
      return new GaloisKeys(Native.createGaloisKeys(handle(), steps.clone()));
    } finally {
      keepAlive(this, null, null);
    }
  }

  public byte[] createPublicKeySeeded(Compression compression) {
    return seeded(PUBLIC_KEY, new int[0], compression);
  }

  public byte[] createRelinKeysSeeded(Compression compression) {
    return seeded(RELIN_KEYS, new int[0], compression);
  }

  public byte[] createGaloisKeysSeeded(Compression compression, int... steps) {
    return seeded(GALOIS_KEYS, steps.clone(), compression);
  }

  private byte[] seeded(int what, int[] steps, Compression compression) {
    try {
      return Native.createSeededKeys(context.handle(), handle(), what, steps, compression.code);
    } finally {
      keepAlive(this, context, null);
    }
  }
}
