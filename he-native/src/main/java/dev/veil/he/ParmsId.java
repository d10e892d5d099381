package dev.veil.he;

import java.util.Locale;

/**
 * Identifier of one level of a modulus chain: the four 64-bit words SEAL derives with BLAKE2b from
 * the encryption parameters of that level. Equal parameters give equal ids in SEAL and in this
 * engine.
 */
public record ParmsId(long w0, long w1, long w2, long w3) {

  static ParmsId of(long[] words) {
    return new ParmsId(words[0], words[1], words[2], words[3]);
  }

  long[] words() {
    return new long[] {w0, w1, w2, w3};
  }

  /** The words as 16-digit hex, lowest first, as SEAL prints them. */
  public String toHex() {
    return String.format(Locale.ROOT, "%016x %016x %016x %016x", w0, w1, w2, w3);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
