package dev.veil.functions.keys;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.ToLongFunction;

/**
 * A client's evaluation keys as uploaded to blob storage: three SEAL-serialized objects in a small
 * self-describing container, so that any SEAL client (node-seal, SEAL C++/.NET) can produce it.
 *
 * <pre>
 * offset  size  field
 * 0       8     magic "VEILKEYS" (ASCII)
 * 8       1     format version = 1
 * 9       1     section count n (2 or 3)
 * 10      ...   n sections, each: kind (u8), length (u32 little-endian), bytes
 *               kind 1 = EncryptionParameters, 2 = GaloisKeys, 3 = RelinKeys
 * </pre>
 *
 * Each section's bytes are exactly what SEAL's {@code save()} writes (its own 16-byte header
 * included; seeded and compressed forms allowed). Parameters and Galois keys are required;
 * relinearization keys only when the model multiplies ciphertexts. Each kind appears at most once,
 * the parameters come first (so that the sizes of the keys can be bounded before they are read) and
 * nothing may follow the last section.
 */
public record KeyBundle(byte[] parameters, byte[] galoisKeys, byte[] relinKeys) {

  static final byte[] MAGIC = "VEILKEYS".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int KIND_PARAMETERS = 1;
  static final int KIND_GALOIS = 2;
  static final int KIND_RELIN = 3;
  private static final String[] KIND_NAMES = {
    "", "encryption parameters", "Galois keys", "relinearization keys"
  };

  /** Serialized CKKS parameters are a few hundred bytes; anything near this is not parameters. */
  public static final int MAX_PARAMETERS_BYTES = 1 << 16;

  public KeyBundle {
    if (parameters == null || parameters.length == 0) {
      throw new InvalidKeyBundleException("key bundle has no encryption parameters");
    }
    if (galoisKeys == null || galoisKeys.length == 0) {
      throw new InvalidKeyBundleException("key bundle has no Galois keys");
    }
  }

  public boolean hasRelinKeys() {
    return relinKeys != null && relinKeys.length > 0;
  }

  /** Bytes of the three SEAL objects (the container overhead is a few bytes). */
  public long sizeBytes() {
    return parameters.length + galoisKeys.length + (hasRelinKeys() ? relinKeys.length : 0);
  }

  public byte[] encode() {
    ByteArrayOutputStream out =
        new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64, sizeBytes() + 32));
    out.writeBytes(MAGIC);
    out.write(VERSION);
    out.write(hasRelinKeys() ? 3 : 2);
    writeSection(out, KIND_PARAMETERS, parameters);
    writeSection(out, KIND_GALOIS, galoisKeys);
    if (hasRelinKeys()) {
      writeSection(out, KIND_RELIN, relinKeys);
    }
    return out.toByteArray();
  }

  private static void writeSection(ByteArrayOutputStream out, int kind, byte[] bytes) {
    out.write(kind);
    out.writeBytes(
        ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
    out.writeBytes(bytes);
  }

  /** Parses a stored bundle, checking every declared length against the bytes actually present. */
  public static KeyBundle decode(byte[] data) {
    try {
      return read(new ByteArrayInputStream(data), parameters -> Long.MAX_VALUE);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not from a byte array
    }
  }

  /**
   * Reads a bundle from a stream without reading past what it may hold: the parameters section must
   * come first (at most {@value #MAX_PARAMETERS_BYTES} bytes); {@code keySectionLimit} then gives,
   * from those parameters, the most bytes a key section may declare. A bundle that declares more,
   * or has trailing bytes, is refused before the rest of it is read.
   */
  public static KeyBundle read(InputStream in, ToLongFunction<byte[]> keySectionLimit)
      throws IOException {
    byte[] head = in.readNBytes(MAGIC.length + 2);
    if (head.length < MAGIC.length + 2
        || !Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new InvalidKeyBundleException("not a Veil key bundle (expected the 'VEILKEYS' header)");
    }
    int version = head[MAGIC.length] & 0xFF;
    if (version != VERSION) {
      throw new InvalidKeyBundleException(
          "unsupported key bundle version " + version + " (expected " + VERSION + ")");
    }
    int count = head[MAGIC.length + 1] & 0xFF;
    if (count < 2 || count > 3) {
      throw new InvalidKeyBundleException("key bundle must have 2 or 3 sections, found " + count);
    }
    byte[][] sections = new byte[4][];
    long keyLimit = 0;
    for (int i = 0; i < count; i++) {
      byte[] sectionHead = in.readNBytes(5);
      if (sectionHead.length < 5) {
        throw new InvalidKeyBundleException("key bundle is truncated in section " + (i + 1));
      }
      ByteBuffer h = ByteBuffer.wrap(sectionHead).order(ByteOrder.LITTLE_ENDIAN);
      int kind = h.get() & 0xFF;
      long length = h.getInt() & 0xFFFFFFFFL;
      if (kind < KIND_PARAMETERS || kind > KIND_RELIN) {
        throw new InvalidKeyBundleException(
            "key bundle section " + (i + 1) + " has unknown kind " + kind);
      }
      if (sections[kind] != null) {
        throw new InvalidKeyBundleException("key bundle repeats section kind " + kind);
      }
      if (i == 0 && kind != KIND_PARAMETERS) {
        throw new InvalidKeyBundleException(
            "key bundle's first section must be the encryption parameters"
                + " (kind 1), found kind "
                + kind);
      }
      long limit = kind == KIND_PARAMETERS ? MAX_PARAMETERS_BYTES : keyLimit;
      if (length > limit) {
        throw new InvalidKeyBundleException(
            "key bundle section "
                + (i + 1)
                + " ("
                + KIND_NAMES[kind]
                + ") declares "
                + length
                + " bytes, more than the "
                + limit
                + " its parameters allow");
      }
      sections[kind] = in.readNBytes((int) length);
      if (sections[kind].length < length) {
        throw new InvalidKeyBundleException(
            "key bundle section "
                + (i + 1)
                + " declares "
                + length
                + " bytes but only "
                + sections[kind].length
                + " remain");
      }
      if (kind == KIND_PARAMETERS) {
        keyLimit = Math.min(Integer.MAX_VALUE - 8, keySectionLimit.applyAsLong(sections[kind]));
      }
    }
    byte[] rest = in.readNBytes(64);
    if (rest.length > 0) {
      throw new InvalidKeyBundleException(
          "key bundle has " + (rest.length < 64 ? rest.length : "64 or more") + " trailing bytes");
    }
    return new KeyBundle(sections[KIND_PARAMETERS], sections[KIND_GALOIS], sections[KIND_RELIN]);
  }
}
