package dev.veil.functions.keys;

import java.util.regex.Pattern;

/**
 * Where a client's key bundle lives: a blob container and a key id (the blob name). Both come from
 * untrusted request bodies, so they are validated here once, before they reach a file path or a
 * blob URL: no separators, no "..", bounded length.
 */
public record KeyRef(String container, String keyId) {

  /**
   * Azure's container rule: 3-63 chars, lowercase letters, digits, single hyphens, no
   * leading/trailing hyphen.
   */
  private static final Pattern CONTAINER =
      Pattern.compile("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$");

  /**
   * Key ids are single path segments of safe characters; dots are allowed but never a leading dot.
   */
  private static final Pattern KEY_ID = Pattern.compile("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$");

  public KeyRef {
    if (container == null || container.isEmpty()) {
      throw new InvalidKeyRefException("container is required");
    }
    if (!CONTAINER.matcher(container).matches()) {
      throw new InvalidKeyRefException(
          "container must be 3-63 characters of lowercase letters, digits and single"
              + " hyphens, starting and ending with a letter or digit");
    }
    if (keyId == null || keyId.isEmpty()) {
      throw new InvalidKeyRefException("key_id is required");
    }
    if (!KEY_ID.matcher(keyId).matches() || keyId.contains("..")) {
      throw new InvalidKeyRefException(
          "key_id must be 1-128 characters of letters, digits, '.', '_' and '-',"
              + " must not start with '.' and must not contain '..'");
    }
  }

  @Override
  public String toString() {
    return container + "/" + keyId;
  }
}
