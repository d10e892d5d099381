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
    byte[] write(Ciphertext result, EncryptedModel model) {
      return result.save(Compression.ZSTD);
    }
  },
  /**
   * {@code application/json}: {@code {"data": <base64>, "outputs", "window",
   * "samples_per_ciphertext"}}.
   */
  JSON("application/json") {
    @Override
    byte[] write(Ciphertext result, EncryptedModel model) {
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
      byte[] body = result.save(Compression.ZSTD, true, head.length, tail.length);
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

  abstract byte[] write(Ciphertext result, EncryptedModel model);
}
