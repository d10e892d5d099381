package dev.veil.smpc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A cryptographic pseudo-random generator: AES-128 in counter mode keyed by a 16-byte seed (the
 * JCE's AES/CTR, which runs on AES-NI where the CPU has it). The crypto provider hands a party a
 * seed instead of the random parts of its correlated randomness; the party expands the same stream.
 * Not thread-safe.
 */
public final class Prg {
  public static final int SEED_BYTES = 16;
  private static final int CHUNK =
      512; // nextLong's buffer; bulk requests are encrypted straight into place
  private static final SecureRandom SEEDS = new SecureRandom();

  private final Cipher cipher;
  private byte[] zeros = new byte[CHUNK];
  private final byte[] buffer = new byte[CHUNK];
  private final ByteBuffer view = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
  private int available;

  public Prg(byte[] seed) {
    if (seed == null || seed.length != SEED_BYTES) {
      throw new IllegalArgumentException("a PRG seed has " + SEED_BYTES + " bytes");
    }
    try {
      cipher = Cipher.getInstance("AES/CTR/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CTR is not available in this JVM", e);
    }
  }

  /** A fresh seed from the system's {@link SecureRandom}. */
  public static byte[] newSeed() {
    byte[] seed = new byte[SEED_BYTES];
    SEEDS.nextBytes(seed);
    return seed;
  }

  /** A generator on a fresh seed, for randomness that never needs to be reproduced elsewhere. */
  public static Prg fresh() {
    return new Prg(newSeed());
  }

  public long nextLong() {
    if (available < Long.BYTES) {
      refill();
    }
    long v = view.getLong(CHUNK - available);
    available -= Long.BYTES;
    return v;
  }

  /**
   * Fills {@code out} with uniform longs: the next 8·n bytes of the key stream, whatever mix of
   * calls asked for them (buffered bytes first), so a dealer and a party expanding the same seed
   * agree word for word.
   */
  public long[] fill(long[] out) {
    int i = 0;
    while (i < out.length && available >= Long.BYTES) {
      out[i++] = nextLong();
    }
    int rest = out.length - i;
    if (rest > 0) {
      int bytes = rest * Long.BYTES;
      if (zeros.length < bytes) {
        zeros = new byte[bytes];
      }
      byte[] stream = new byte[bytes];
      try {
        cipher.update(zeros, 0, bytes, stream, 0);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
      ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out, i, rest);
    }
    return out;
  }

  public long[] longs(int n) {
    return fill(new long[n]);
  }

  private void refill() {
    try {
      cipher.update(zeros, 0, CHUNK, buffer, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    available = CHUNK;
  }
}
