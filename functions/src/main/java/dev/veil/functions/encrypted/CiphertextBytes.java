package dev.veil.functions.encrypted;

import dev.veil.he.Ciphertext;
import dev.veil.he.CkksContext;
import java.util.Arrays;
import java.util.Base64;

/**
 * Where a request's ciphertext lies: a range of the request body, as the SEAL bytes themselves or
 * as their base64 text (JSON bodies). The engine loads it from there, so the ciphertext reaches
 * native memory in one pass.
 */
public record CiphertextBytes(byte[] source, int offset, int length, boolean base64) {

  public CiphertextBytes {
    if (offset < 0 || length < 0 || offset > source.length || length > source.length - offset) {
      throw new IllegalArgumentException(
          "ciphertext range "
              + offset
              + "+"
              + length
              + " lies outside "
              + source.length
              + " bytes");
    }
  }

  /** A whole array of SEAL bytes. */
  public static CiphertextBytes of(byte[] bytes) {
    return new CiphertextBytes(bytes, 0, bytes.length, false);
  }

  Ciphertext load(CkksContext context) {
    return Ciphertext.load(context, source, offset, length, base64);
  }

  /**
   * A copy of the SEAL bytes (decoded when base64), for callers that keep them apart from the body.
   */
  public byte[] toByteArray() {
    byte[] range = Arrays.copyOfRange(source, offset, offset + length);
    return base64 ? Base64.getMimeDecoder().decode(range) : range;
  }
}
