package dev.veil.he;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Java API's own contract: ownership (close, use after close), errors as HeException, and
 * concurrent evaluation on a shared context, evaluator and keys. Compatibility with SEAL is
 * SealCompatibilityTest's job.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineApiTest {
  private static final double SCALE = Math.scalb(1.0, 40);

  private CkksContext ctx;
  private KeyGenerator keygen;
  private SecretKey sk;
  private RelinKeys rk;
  private GaloisKeys gk;
  private CkksEncoder encoder;
  private Evaluator evaluator;

  @BeforeAll
  void setUp() {
    ctx = CkksContext.create(CkksParameters.withBitSizes(8192, 60, 40, 40, 60));
    keygen = new KeyGenerator(ctx);
    sk = keygen.secretKey();
    rk = keygen.createRelinKeys();
    gk = keygen.createGaloisKeys(1, -1);
    encoder = new CkksEncoder(ctx);
    evaluator = new Evaluator(ctx);
  }

  @AfterAll
  void tearDown() {
    for (AutoCloseable c : new AutoCloseable[] {evaluator, encoder, gk, rk, sk, keygen, ctx}) {
      try {
        c.close();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void chainHasKeyLevelThenDataLevels() {
    assertEquals(4, ctx.chain().size());
    assertEquals(3, ctx.chainIndex(ctx.keyParmsId()));
    assertEquals(0, ctx.chainIndex(ctx.lastParmsId()));
    assertEquals(ctx.parameters().parmsId(), ctx.keyParmsId());
    assertEquals(2, ctx.primeCount(ctx.dataLevels().get(1)));
    assertEquals(4096, encoder.slotCount());
  }

  @Test
  void encodeDecodeRoundTrips() {
    double[] values = Slots.random(5, encoder.slotCount());
    try (Plaintext p = encoder.encode(values, SCALE)) {
      assertEquals(ctx.firstParmsId(), p.parmsId());
      assertEquals(SCALE, p.scale());
      assertTrue(Slots.maxAbsError(values, encoder.decode(p)) < 1e-9);
    }
  }

  @Test
  void ciphertextsLoadInPlaceOrFromBase64AndSaveIntoMargins() {
    double[] values = {1.5, -2.25, 3.0};
    try (Encryptor encryptor = new Encryptor(ctx, sk);
        Plaintext p = encoder.encode(values, SCALE);
        Ciphertext c = encryptor.encrypt(p)) {
      byte[] saved = c.save(Compression.ZSTD);
      byte[] framed = c.save(Compression.ZSTD, false, 3, 2);
      assertEquals(saved.length + 5, framed.length);
      assertArrayEquals(saved, Arrays.copyOfRange(framed, 3, framed.length - 2));
      byte[] text = c.save(Compression.ZSTD, true, 9, 2);
      assertEquals(
          Base64.getEncoder().encodeToString(saved),
          new String(text, 9, text.length - 11, StandardCharsets.US_ASCII));

      // MIME-style line breaks and spaces are skipped; padding may be left off
      String mime = Base64.getMimeEncoder().encodeToString(saved).replace("=", "") + " \n";
      byte[] body = ("xx" + mime + "yy").getBytes(StandardCharsets.US_ASCII);
      try (Ciphertext inPlace = Ciphertext.load(ctx, framed, 3, saved.length, false);
          Ciphertext decoded = Ciphertext.load(ctx, body, 2, body.length - 4, true)) {
        assertArrayEquals(saved, inPlace.save(Compression.ZSTD));
        assertArrayEquals(saved, decoded.save(Compression.ZSTD));
        try (Decryptor decryptor = new Decryptor(ctx, sk);
            Plaintext back = decryptor.decrypt(decoded)) {
          assertEquals(values[1], encoder.decode(back)[1], 1e-6);
        }
      }

      assertMessage("outside", () -> Ciphertext.load(ctx, framed, 3, framed.length, false));
      assertMessage("outside", () -> Ciphertext.load(ctx, framed, -1, 4, false));
      assertMessage("available", () -> Ciphertext.load(ctx, framed, 3, saved.length - 1, false));
      byte[] bad = Base64.getEncoder().encode(saved);
      bad[100] = '!';
      assertMessage("base64", () -> Ciphertext.load(ctx, bad, 0, bad.length, true));
      byte[] padded = "QUJD=A".getBytes(StandardCharsets.US_ASCII);
      assertMessage("base64", () -> Ciphertext.load(ctx, padded, 0, padded.length, true));
    }
  }

  private static void assertMessage(
      String fragment, org.junit.jupiter.api.function.Executable call) {
    HeException e = assertThrows(HeException.class, call);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void closedObjectsRefuseUseAndCloseTwiceIsHarmless() {
    Plaintext p = encoder.encode(new double[] {1, 2}, SCALE);
    p.close();
    p.close();
    assertThrows(IllegalStateException.class, p::parmsId);
    assertThrows(IllegalStateException.class, () -> evaluator.modSwitchTo(p, ctx.lastParmsId()));
  }

  @Test
  void engineErrorsArriveAsHeExceptionWithMessage() {
    try (Encryptor enc = new Encryptor(ctx, sk);
        Plaintext p = encoder.encode(new double[] {0.5}, SCALE);
        Ciphertext a = enc.encrypt(p);
        Ciphertext down = evaluator.modSwitchTo(a, ctx.lastParmsId())) {
      HeException mismatch = assertThrows(HeException.class, () -> evaluator.add(a, down));
      assertTrue(!mismatch.getMessage().isBlank());
      assertThrows(
          HeException.class, () -> evaluator.rescaleToNext(down), "rescale below the last level");
      assertThrows(
          HeException.class, () -> encoder.encode(new double[encoder.slotCount() + 1], SCALE));
      assertThrows(HeException.class, () -> CkksContext.create(ctx.parameters(), 8));
    }
  }

  @Test
  void rotationErrorsNameTheRequestedStepAndForeignKeys() {
    try (Encryptor enc = new Encryptor(ctx, sk);
        Plaintext p = encoder.encode(new double[] {0.5}, SCALE);
        Ciphertext a = enc.encrypt(p)) {
      // 3 = 4 - 1: the key for -1 exists, the one for 4 does not; the error names 3, the step asked
      // for.
      HeException missing = assertThrows(HeException.class, () -> evaluator.rotate(a, 3, gk));
      assertTrue(missing.getMessage().contains("rotation by 3 steps"), missing.getMessage());
      assertTrue(missing.getMessage().contains("parts 4"), missing.getMessage());
      HeException many =
          assertThrows(HeException.class, () -> evaluator.rotateHoisted(a, new int[] {1, 3}, gk));
      assertTrue(many.getMessage().contains("rotation by 3 steps"), many.getMessage());
      try (CkksContext other = CkksContext.create(CkksParameters.withBitSizes(4096, 36, 36, 36));
          KeyGenerator otherKeygen = new KeyGenerator(other);
          GaloisKeys foreign = otherKeygen.createGaloisKeys(1, -1)) {
        for (int step : new int[] {1, -1, 3}) {
          HeException e = assertThrows(HeException.class, () -> evaluator.rotate(a, step, foreign));
          assertTrue(e.getMessage().contains("parms_id mismatch"), e.getMessage());
        }
        HeException e =
            assertThrows(
                HeException.class, () -> evaluator.rotateHoisted(a, new int[] {-1}, foreign));
        assertTrue(e.getMessage().contains("parms_id mismatch"), e.getMessage());
      }
    }
  }

  @Test
  void concurrentEvaluationOnSharedKeysIsCorrect() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Encryptor enc = new Encryptor(ctx, sk);
        Decryptor dec = new Decryptor(ctx, sk)) {
      List<Future<Double>> errors = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        final long seed = 100 + t;
        errors.add(
            pool.submit(
                () -> {
                  double[] x = Slots.random(seed, encoder.slotCount());
                  double[] expected = Slots.rotate(Slots.zip(x, x, (u, v) -> u * v), 1);
                  double worst = 0;
                  for (int round = 0; round < 3; round++) {
                    try (Plaintext p = encoder.encode(x, SCALE);
                        Ciphertext a = enc.encrypt(p);
                        Ciphertext sq = evaluator.square(a);
                        Ciphertext r = evaluator.relinearize(sq, rk);
                        Ciphertext s = evaluator.rescaleToNext(r);
                        Ciphertext rot = evaluator.rotate(s, 1, gk);
                        Plaintext out = dec.decrypt(rot)) {
                      worst = Math.max(worst, Slots.maxAbsError(expected, encoder.decode(out)));
                    }
                  }
                  return worst;
                }));
      }
      for (Future<Double> e : errors) {
        assertTrue(e.get() < 1e-4, "concurrent result off by " + e.get());
      }
    } finally {
      pool.shutdown();
    }
  }
}
