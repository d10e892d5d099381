package dev.veil.he;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.testkit.CompressionBombs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Untrusted bytes from Java: every malformed object must end in an {@link HeException} with a
 * message, never a crashed JVM, and never an allocation beyond the context's bound. The objects are
 * real ones from node-seal for a small context (N=2048), so every offset of them can be tried in
 * seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedInputTest {
  private static final int N = 2048;
  private static final int[] BITS = {18, 18, 18};

  /** Bound on one object's declared size for this context: 8 MiB. */
  private static final long MAX_LOAD = 8L << 20;

  private SealHarness seal;
  private CkksContext ctx;
  private byte[] parms;
  private byte[] ciphertext; // uncompressed, top data level
  private byte[] lastLevelCiphertext;
  private byte[] seededCiphertextZstd;
  private byte[] relinKeysSeededZstd;
  private byte[] galoisKeysSeededZlib;

  @BeforeAll
  void realObjectsFromSeal() {
    seal = SealHarness.start();
    JsonNode made = seal.call("context", Map.of("ctx", "tiny", "n", N, "bits", BITS));
    parms = SealHarness.take(made.get("parms"));
    ctx = CkksContext.create(CkksParameters.load(parms), MAX_LOAD);
    JsonNode keys =
        seal.call(
                "keygen",
                Map.of(
                    "ctx",
                    "tiny",
                    "steps",
                    new int[] {1},
                    "comprs",
                    List.of("zstd", "zlib"),
                    "forms",
                    "seeded"))
            .get("files");
    relinKeysSeededZstd = SealHarness.take(keys.get("zstd").get("relinKeysSeeded"));
    galoisKeysSeededZlib = SealHarness.take(keys.get("zlib").get("galoisKeysSeeded"));
    double[] values = {0.25, -0.5, 0.75};
    ciphertext = encrypt(values, "public", "none", null);
    lastLevelCiphertext = encrypt(values, "public", "none", 0);
    seededCiphertextZstd = encrypt(values, "seeded", "zstd", null);
  }

  private byte[] encrypt(double[] values, String mode, String compr, Integer chainIndex) {
    Map<String, Object> req =
        new HashMap<>(
            Map.of("ctx", "tiny", "values", values, "scale", 1024.0, "mode", mode, "compr", compr));
    if (chainIndex != null) {
      req.put("chainIndex", chainIndex);
    }
    return SealHarness.take(seal.call("encrypt", req).get("ct"));
  }

  @AfterAll
  void close() {
    if (ctx != null) {
      ctx.close();
    }
    if (seal != null) {
      seal.close();
    }
  }

  /** The load must fail with a message; anything else (other exception, success) fails the test. */
  private static void rejects(String what, Runnable load) {
    HeException e = assertThrows(HeException.class, load::run, what);
    assertFalse(e.getMessage() == null || e.getMessage().isBlank(), what + ": empty message");
  }

  @Test
  void realObjectsLoad() {
    try (Ciphertext a = Ciphertext.load(ctx, ciphertext);
        Ciphertext b = Ciphertext.load(ctx, seededCiphertextZstd);
        Ciphertext c = Ciphertext.load(ctx, lastLevelCiphertext);
        RelinKeys rk = RelinKeys.load(ctx, relinKeysSeededZstd);
        GaloisKeys gk = GaloisKeys.load(ctx, galoisKeysSeededZlib)) {
      assertEquals(ctx.firstParmsId(), a.parmsId());
      assertEquals(ctx.firstParmsId(), b.parmsId());
      assertEquals(ctx.lastParmsId(), c.parmsId());
      assertEquals(ctx.keyParmsId(), rk.parmsId());
      assertEquals(1, gk.galoisElements().length);
    }
  }

  @Test
  void truncationAtEveryOffsetIsRejected() {
    everyPrefixRejected("parameters", parms, b -> CkksParameters.load(b));
    everyPrefixRejected("ciphertext", lastLevelCiphertext, b -> Ciphertext.load(ctx, b).close());
    everyPrefixRejected(
        "seeded zstd ciphertext", seededCiphertextZstd, b -> Ciphertext.load(ctx, b).close());
    everyPrefixRejected(
        "seeded zstd relin keys", relinKeysSeededZstd, b -> RelinKeys.load(ctx, b).close());
    everyPrefixRejected(
        "seeded zlib galois keys", galoisKeysSeededZlib, b -> GaloisKeys.load(ctx, b).close());
  }

  private static void everyPrefixRejected(String what, byte[] object, Consumer<byte[]> load) {
    for (int len = 0; len < object.length; len++) {
      byte[] prefix = Arrays.copyOf(object, len);
      try {
        load.accept(prefix);
        fail(what + " truncated to " + len + " of " + object.length + " bytes was accepted");
      } catch (HeException expected) {
        assertFalse(expected.getMessage().isBlank());
      }
    }
  }

  @Test
  void flippedBytesAreRejectedOrYieldAValidObject() {
    Random random = new Random(7);
    int rejected = 0;
    byte[][] objects = {ciphertext, seededCiphertextZstd, relinKeysSeededZstd};
    for (byte[] object : objects) {
      for (int trial = 0; trial < 1500; trial++) {
        byte[] bad = object.clone();
        // The header and members first, then random positions in the data.
        int pos = trial < 120 ? trial : random.nextInt(bad.length);
        bad[pos] ^= (byte) (1 << random.nextInt(8));
        try {
          if (object == relinKeysSeededZstd) {
            RelinKeys.load(ctx, bad).close();
          } else {
            try (Ciphertext c = Ciphertext.load(ctx, bad)) {
              assertTrue(
                  ctx.chain().contains(c.parmsId()), "loaded a ciphertext outside the chain");
            }
          }
        } catch (HeException e) {
          rejected++;
        }
      }
    }
    assertTrue(rejected > 0, "no flipped byte was ever rejected");
  }

  private static byte[] withHeaderByte(byte[] object, int offset, int value) {
    byte[] bad = object.clone();
    bad[offset] = (byte) value;
    return bad;
  }

  private static byte[] withLong(byte[] object, int offset, long value) {
    byte[] bad = object.clone();
    ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(offset, value);
    return bad;
  }

  @Test
  void wrongMagicVersionCompressionAndHeaderSizeAreRejected() {
    rejects("magic", () -> Ciphertext.load(ctx, withHeaderByte(ciphertext, 0, 0x00)));
    rejects("header size", () -> Ciphertext.load(ctx, withHeaderByte(ciphertext, 2, 0x20)));
    rejects("SEAL 3.x version", () -> Ciphertext.load(ctx, withHeaderByte(ciphertext, 3, 3)));
    rejects("version 5", () -> Ciphertext.load(ctx, withHeaderByte(ciphertext, 3, 5)));
    // SEAL 4.1 loads exactly version 4.1: neither the older 4.0 nor a later minor.
    for (int minor : new int[] {0, 2, 254}) {
      HeException e =
          assertThrows(
              HeException.class,
              () -> Ciphertext.load(ctx, withHeaderByte(ciphertext, 4, minor)),
              "version 4." + minor);
      assertTrue(e.getMessage().contains("version 4." + minor), e.getMessage());
    }
    rejects("compression mode 3", () -> Ciphertext.load(ctx, withHeaderByte(ciphertext, 5, 3)));
    rejects(
        "zstd flag on plain data", () -> Ciphertext.load(ctx, withHeaderByte(ciphertext, 5, 2)));
    rejects("empty", () -> Ciphertext.load(ctx, new byte[0]));
    rejects("null", () -> Ciphertext.load(ctx, null));
    rejects("parameters as ciphertext", () -> Ciphertext.load(ctx, parms));
    rejects("ciphertext as relin keys", () -> RelinKeys.load(ctx, ciphertext));
  }

  @Test
  void trailingBytesAfterAnObjectAreRejected() {
    for (int extra : new int[] {1, 16}) {
      HeException e =
          assertThrows(
              HeException.class,
              () -> Ciphertext.load(ctx, Arrays.copyOf(ciphertext, ciphertext.length + extra)));
      assertTrue(e.getMessage().contains(extra + " unexpected bytes"), e.getMessage());
      rejects(
          "seeded zstd ciphertext + " + extra,
          () ->
              Ciphertext.load(
                  ctx, Arrays.copyOf(seededCiphertextZstd, seededCiphertextZstd.length + extra)));
      rejects(
          "galois keys + " + extra,
          () ->
              GaloisKeys.load(
                  ctx, Arrays.copyOf(galoisKeysSeededZlib, galoisKeysSeededZlib.length + extra)));
      rejects(
          "relin keys + " + extra,
          () ->
              RelinKeys.load(
                  ctx, Arrays.copyOf(relinKeysSeededZstd, relinKeysSeededZstd.length + extra)));
      rejects(
          "parameters + " + extra,
          () -> CkksParameters.load(Arrays.copyOf(parms, parms.length + extra)));
    }
    // Two objects back to back are not one object either.
    byte[] two = Arrays.copyOf(ciphertext, 2 * ciphertext.length);
    System.arraycopy(ciphertext, 0, two, ciphertext.length, ciphertext.length);
    rejects("two ciphertexts", () -> Ciphertext.load(ctx, two));
  }

  @Test
  void sizesClaimingGigabytesAreRejectedBeforeAllocating() {
    long peakBefore = Rss.peakKiB();
    rejects("total size 4 GiB", () -> Ciphertext.load(ctx, withLong(ciphertext, 8, 4L << 30)));
    rejects(
        "total size 2^63-1", () -> Ciphertext.load(ctx, withLong(ciphertext, 8, Long.MAX_VALUE)));
    // Members: size (polynomial count), degree and prime count of the ciphertext.
    rejects("2^40 polynomials", () -> Ciphertext.load(ctx, withLong(ciphertext, 49, 1L << 40)));
    rejects("degree 2^40", () -> Ciphertext.load(ctx, withLong(ciphertext, 57, 1L << 40)));
    rejects("2^33 primes", () -> Ciphertext.load(ctx, withLong(ciphertext, 65, 1L << 33)));
    rejects("data count 2^61", () -> Ciphertext.load(ctx, withLong(ciphertext, 89 + 16, 1L << 61)));
    long grown = Rss.peakKiB() - peakBefore;
    assertTrue(grown < 256 * 1024, "peak RSS grew by " + grown + " KiB while rejecting huge sizes");
  }

  /** A SEAL header followed by a payload; total size as declared. */
  @Test
  void compressionBombsStopAtTheDeclaredSize() {
    byte[] zstd = CompressionBombs.zstd(8192); // 1 GiB of zeros
    byte[] zlib = CompressionBombs.zlib(256); // 256 MiB of zeros
    long peakBefore = Rss.peakKiB();
    // Declared sizes within the bound: decompression must stop there, the members then do not
    // parse.
    rejects(
        "zstd bomb, declared its own length",
        () -> Ciphertext.load(ctx, CompressionBombs.sealFramed(2, 16 + zstd.length, zstd)));
    rejects(
        "zstd bomb, declared 1 MiB",
        () -> Ciphertext.load(ctx, CompressionBombs.sealFramed(2, 1 << 20, zstd)));
    rejects(
        "zlib bomb, declared 1 MiB",
        () -> Ciphertext.load(ctx, CompressionBombs.sealFramed(1, 1 << 20, zlib)));
    rejects(
        "zstd bomb as galois keys",
        () -> GaloisKeys.load(ctx, CompressionBombs.sealFramed(2, 1 << 20, zstd)));
    // Declared sizes beyond the context's bound fail before decompressing.
    rejects(
        "zstd bomb, declared 1 GiB",
        () -> Ciphertext.load(ctx, CompressionBombs.sealFramed(2, 1L << 30, zstd)));
    rejects(
        "zlib bomb, declared 256 MiB",
        () -> Ciphertext.load(ctx, CompressionBombs.sealFramed(1, 256L << 20, zlib)));
    long grown = Rss.peakKiB() - peakBefore;
    assertTrue(
        grown < 256 * 1024, "peak RSS grew by " + grown + " KiB while rejecting compression bombs");
  }

  @Test
  void objectsOfAnotherContextAreRejected() {
    try (CkksContext other = CkksContext.create(CkksParameters.withBitSizes(N, 27, 27))) {
      rejects("ciphertext of another context", () -> Ciphertext.load(other, ciphertext));
      rejects("relin keys of another context", () -> RelinKeys.load(other, relinKeysSeededZstd));
      try (Evaluator ev = new Evaluator(other);
          CkksEncoder enc = new CkksEncoder(other)) {
        rejects(
            "mod switch to a foreign parms_id",
            () -> {
              try (Plaintext p = enc.encode(new double[] {1}, 1024.0)) {
                ev.modSwitchTo(p, ctx.lastParmsId());
              }
            });
      }
    }
  }

  @Test
  void parametersSealWouldRejectAreRejected() {
    long q = CkksParameters.withBitSizes(N, 30).coeffModulus()[0];
    rejects(
        "non-prime modulus 1 mod 2N",
        () -> CkksContext.create(CkksParameters.of(N, q, 5L * 4096 + 1)));
    rejects(
        "non-prime modulus 2^30+1", () -> CkksContext.create(CkksParameters.of(N, (1L << 30) + 1)));
    rejects("prime not 1 mod 2N", () -> CkksContext.create(CkksParameters.of(N, q, 65521)));
    rejects("duplicate primes", () -> CkksContext.create(CkksParameters.of(N, q, q)));
    rejects("degree not a power of two", () -> CkksContext.create(CkksParameters.of(3000, q)));
    rejects("degree above 32768", () -> CkksContext.create(CkksParameters.of(65536, q)));
    rejects("prime above 60 bits", () -> CkksContext.create(CkksParameters.of(N, (1L << 61) - 1)));
    rejects("bit sizes with no primes", () -> CkksParameters.withBitSizes(N, 70));
    // The same through SEAL-serialized parameters: degree field patched to 3000.
    byte[] badDegree = withLong(parms, 17, 3000);
    rejects(
        "serialized degree 3000", () -> CkksContext.create(CkksParameters.load(badDegree)).close());
    rejects("serialized parameters truncated", () -> CkksParameters.load(Arrays.copyOf(parms, 20)));
  }
}
