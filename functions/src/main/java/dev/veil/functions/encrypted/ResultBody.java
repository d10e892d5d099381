package dev.veil.functions.encrypted;

import dev.veil.he.Ciphertext;
import dev.veil.he.Compression;
import java.nio.charset.StandardCharsets;

/**
 * The response body of an encrypted result. The engine saves the ciphertext straight into the body
 * array (as base64 text inside the JSON form), so the result is written once; only the few bytes
 * around it come from Java.
 */
public enum ResultBody {
  /** {@code application/octet-stream}: the SEAL-serialized ciphertext (zstd) alone. */
  BINARY("application/octet-stream") {
    @Override
    byte[] write(Ciphertext result, EncryptedModel model, Compression compression) {
      return result.save(compression);
    }
  },
  /**
   * {@code application/json}: {@code {"data": <base64>, "outputs", "window",
   * "samples_per_ciphertext"}}.
   */
  JSON("application/json") {
    @Override
    byte[] write(Ciphertext result, EncryptedModel model, Compression compression) {
      byte[] head = "{\"data\":\"".getBytes(StandardCharsets.US_ASCII);
      byte[] tail =
          ("\",\"outputs\":"
                  + model.outputs()
                  + ",\"window\":"
                  + model.window()
                  + ",\"samples_per_ciphertext\":"
                  + model.samplesPerCiphertext()
                  + "}")
              .getBytes(StandardCharsets.US_ASCII);
      byte[] body = result.save(compression, true, head.length, tail.length);
      System.arraycopy(head, 0, body, 0, head.length);
      System.arraycopy(tail, 0, body, body.length - tail.length, tail.length);
      return body;
    }
  };

  private final String contentType;

  ResultBody(String contentType) {
    this.contentType = contentType;
  }

  String contentType() {
    return contentType;
  }

  abstract byte[] write(Ciphertext result, EncryptedModel model, Compression compression);

  /**
   * zstd where it pays: coefficients below a prime of b bits leave 64 − b zero bits per word, which
   * zstd turns into ~28% fewer bytes for a 40-bit prime, but none for a 60-bit one (MNIST's result
   * came out as large as uncompressed and cost 0.2 ms), so results under primes above 56 bits go
   * uncompressed.
   */
  static Compression compressionFor(double lastPrime) {
    return Math.getExponent(lastPrime) + 1 > 56 ? Compression.NONE : Compression.ZSTD;
  }
}
