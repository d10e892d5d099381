package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.keys.InvalidKeyBundleException;
import dev.veil.functions.keys.KeyBundle;
import dev.veil.he.CkksContext;
import dev.veil.he.CkksParameters;
import dev.veil.he.Compression;
import dev.veil.he.KeyGenerator;
import dev.veil.testkit.CompressionBombs;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

/**
 * The expected size of uploaded key objects follows from their parameters and the Galois key limit;
 * key sections and decompression stop there (zstd and zlib bombs), while real keys load.
 */
class SealKeysBoundsTest {

  /** MNIST's parameter set: N=8192, three primes. */
  private static final CkksParameters MNIST = CkksParameters.withBitSizes(8192, 60, 40, 60);

  @Test
  void theKeySetBoundFollowsFromTheParameters() {
    SealKeysDecoder decoder = new SealKeysDecoder(64, 1L << 30);
    // per key: 2 data primes, each a 2-polynomial ciphertext over 3 primes of 8192 words, plus
    // headers
    long perKey = 8 + 2 * (512 + 2 * 3 * 8192 * 8L);
    assertEquals(64 + 8192 * 8 + 64 * perKey, decoder.keySetBytes(MNIST));
    assertEquals(1L << 20, new SealKeysDecoder(64, 1L << 20).keySetBytes(MNIST), "capped per load");
  }

  @Test
  void compressionBombsAsGaloisKeysStopAtTheExpectedSize() {
    SealKeysDecoder decoder = new SealKeysDecoder(64, 1L << 30);
    long bound = decoder.keySetBytes(MNIST);
    byte[] params = MNIST.save(Compression.NONE);
    byte[] zstd = CompressionBombs.zstd(8192); // 1 GiB of zeros
    byte[] zlib = CompressionBombs.zlib(256); // 256 MiB of zeros
    byte[][] bombs = {
      CompressionBombs.sealFramed(2, 16 + zstd.length, zstd),
      CompressionBombs.sealFramed(1, 16 + zlib.length, zlib)
    };
    for (byte[] bomb : bombs) {
      KeyBundle bundle = new KeyBundle(params, bomb, null);
      InvalidKeyBundleException e =
          assertThrows(InvalidKeyBundleException.class, () -> decoder.decode(bundle));
      assertTrue(e.getMessage().contains("exceeds the limit of " + bound), e.getMessage());
    }
  }

  @Test
  void moreKeysThanTheLimitAreRefusedAndRealKeysLoad() throws Exception {
    try (CkksContext context = CkksContext.create(MNIST);
        KeyGenerator keygen = new KeyGenerator(context)) {
      byte[] params = MNIST.save(Compression.NONE);
      byte[] fourKeys = keygen.createGaloisKeysSeeded(Compression.NONE, 1, 2, 4, 8);
      byte[] encoded =
          new KeyBundle(params, fourKeys, keygen.createRelinKeysSeeded(Compression.ZSTD)).encode();

      SealKeysDecoder roomy = new SealKeysDecoder(4, 1L << 30);
      SealKeys keys =
          roomy.decode(
              KeyBundle.read(new ByteArrayInputStream(encoded), roomy::maxKeySectionBytes));
      assertEquals(4, keys.galoisElements().length);

      // Two keys allowed: the stream reader refuses four full (unseeded) keys by their declared
      // length,
      // before reading them. (Seeded keys are half the size: four of them fit the bound of two.)
      SealKeysDecoder strict = new SealKeysDecoder(2, 1L << 30);
      byte[] fourFull;
      try (var full = keygen.createGaloisKeys(1, 2, 4, 8)) {
        fourFull = full.save(Compression.NONE);
      }
      byte[] tooMany = new KeyBundle(params, fourFull, null).encode();
      InvalidKeyBundleException e =
          assertThrows(
              InvalidKeyBundleException.class,
              () -> KeyBundle.read(new ByteArrayInputStream(tooMany), strict::maxKeySectionBytes));
      assertTrue(
          e.getMessage().contains("Galois keys") && e.getMessage().contains("its parameters allow"),
          e.getMessage());
      // ...and compressed, the loader stops inflating at the bound.
      byte[] packed = keygen.createGaloisKeysSeeded(Compression.ZSTD, 1, 2, 4, 8, 16, 32, 64, 128);
      InvalidKeyBundleException inflated =
          assertThrows(
              InvalidKeyBundleException.class,
              () -> strict.decode(new KeyBundle(params, packed, null)));
      assertTrue(inflated.getMessage().contains("exceeds the limit"), inflated.getMessage());
    }
  }
}
