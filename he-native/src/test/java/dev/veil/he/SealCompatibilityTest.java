package dev.veil.he;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The compatibility proof of issue 3, with real SEAL (node-seal) on the other side: for each
 * parameter set and compression mode, SEAL's keys and ciphertexts go through our engine and back to
 * SEAL, our keys and ciphertexts go through SEAL and back to us, and parms_ids agree at every
 * level. The max abs error of every operation is printed
 * (target/surefire-reports/dev.veil.he.SealCompatibilityTest-output.txt).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT)
class SealCompatibilityTest {
  // One node-seal process per parameter set, shared by all of that set's cases, with one SEAL
  // context and one SEAL key set. node-seal is single-threaded and each set alternates between it
  // and our engine, so a set keeps about one core busy: all sets run at once (src/test/resources/
  // junit-platform.properties) and fill the cores, while each set's steps keep their order on its
  // own SEAL.
  private final Map<ParameterSet, SealHarness> seals = new ConcurrentHashMap<>();
  private final Map<ParameterSet, CkksContext> contexts = new ConcurrentHashMap<>();
  private final Map<ParameterSet, JsonNode> sealParameters = new ConcurrentHashMap<>();
  private final Map<ParameterSet, JsonNode> sealChains = new ConcurrentHashMap<>();
  private final Map<ParameterSet, List<String>> report = new EnumMap<>(ParameterSet.class);

  private SealHarness seal(ParameterSet set) {
    return seals.computeIfAbsent(set, s -> SealHarness.start());
  }

  @AfterAll
  void stopSeal() {
    contexts.values().forEach(CkksContext::close);
    seals.values().forEach(SealHarness::close);
    System.out.println("he-native compatibility vs node-seal 6.0.3 (max abs error per operation):");
    synchronized (report) {
      report.values().forEach(lines -> lines.forEach(System.out::println));
    }
  }

  /**
   * Everything for one parameter set against its own SEAL: parameters and chain, SEAL's keys and
   * ciphertexts through our evaluator, our keys and ciphertexts through SEAL.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ParameterSet.class)
  void compatibleWithSeal(ParameterSet set) {
    try {
      parmsIdsAndPrimesEqualSealsAtEveryLevel(set);
      sealKeysAndCiphertextsThroughOurEvaluator(set);
      ourKeysAndCiphertextsThroughSeal(set);
    } finally {
      SealHarness done = seals.remove(set); // frees its keys (the deep set's are hundreds of MB)
      if (done != null) {
        done.close();
      }
    }
  }

  /**
   * Key compression modes per set: all three, or zstd alone for the deep chain (ciphertexts still
   * use all).
   */
  private static Compression[] keyModes(ParameterSet set) {
    return set.reduced() ? new Compression[] {Compression.ZSTD} : Compression.values();
  }

  /**
   * Our context, built from the parameters node-seal made and serialized. SEAL's context of the
   * set's name is built from our zstd-saved parameters: one SEAL context per set, as each costs
   * seconds in WebAssembly (parmsIdsAndPrimesEqualSealsAtEveryLevel shows both parameter sets are
   * the same).
   */
  private CkksContext context(ParameterSet set) {
    return contexts.computeIfAbsent(
        set,
        s -> {
          JsonNode made = seal(s).call("parameters", Map.of("n", s.n, "bits", s.bits));
          sealParameters.put(s, made);
          CkksParameters ours = CkksParameters.withBitSizes(s.n, s.bits);
          JsonNode sealContext =
              seal(s)
                  .call(
                      "context",
                      Map.of(
                          "ctx",
                          s.name(),
                          "parms",
                          seal(s).put("parms", ours.save(Compression.ZSTD))));
          SealHarness.take(sealContext.get("parms"));
          sealChains.put(s, sealContext.get("chain"));
          return CkksContext.create(CkksParameters.load(SealHarness.take(made.get("parms"))));
        });
  }

  private static String mode(Compression c) {
    return c.name().toLowerCase(Locale.ROOT);
  }

  private void record(
      ParameterSet set, Compression mode, String direction, String op, double error) {
    String line =
        String.format(Locale.ROOT, "  %-40s %-4s %-9s %-26s %.3e", set, mode, direction, op, error);
    synchronized (report) {
      report.computeIfAbsent(set, s -> new ArrayList<>()).add(line);
    }
    assertTrue(
        error <= set.tolerance,
        set
            + " "
            + mode
            + " "
            + direction
            + " "
            + op
            + ": max abs error "
            + error
            + " exceeds "
            + set.tolerance);
  }

  /** Saves our result, lets SEAL decrypt it, compares with the plaintext computation. */
  private void sealDecrypts(
      ParameterSet set, Compression mode, String op, double[] expected, Ciphertext result) {
    try (result) {
      String file = seal(set).put(op, result.save(mode));
      JsonNode out =
          seal(set)
              .call("decrypt", Map.of("ctx", set.name(), "ct", file, "count", expected.length));
      assertEquals(
          result.parmsId(),
          SealHarness.parmsId(out.get("parmsId")),
          op + ": SEAL sees another parms_id");
      record(
          set,
          mode,
          "seal→veil",
          op,
          Slots.maxAbsError(expected, SealHarness.doubles(out.get("values"))));
    }
  }

  private JsonNode sealEncrypt(ParameterSet set, Compression compr, double[] values, String how) {
    return seal(set)
        .call(
            "encrypt",
            Map.of(
                "ctx",
                set.name(),
                "values",
                values,
                "scale",
                set.scale(),
                "mode",
                how,
                "compr",
                mode(compr)));
  }

  /**
   * SEAL generates keys once per set, saved in every mode; each mode's files go through our engine.
   */
  private void sealKeysAndCiphertextsThroughOurEvaluator(ParameterSet set) {
    // Unseeded relin/Galois keys are exercised with the smallest set; the others use SEAL's usual
    // seeded form.
    boolean unseededToo = set == ParameterSet.N8192_218;
    List<String> modes = Stream.of(keyModes(set)).map(SealCompatibilityTest::mode).toList();
    JsonNode files =
        seal(set)
            .call(
                "keygen",
                Map.of(
                    "ctx",
                    set.name(),
                    "steps",
                    set.rotationSteps,
                    "comprs",
                    modes,
                    "forms",
                    unseededToo ? "both" : "seeded"))
            .get("files");
    for (Compression compr : keyModes(set)) {
      sealToVeil(set, compr, files.get(mode(compr)), unseededToo);
    }
  }

  private void sealToVeil(ParameterSet set, Compression compr, JsonNode keys, boolean unseededToo) {
    CkksContext ctx = context(set);
    int slots = ctx.slotCount();
    double[] x = Slots.random(11, slots);
    double[] y = Slots.random(12, slots);
    double[] w = Slots.random(13, slots);
    JsonNode ea = sealEncrypt(set, compr, x, "public");
    JsonNode eb = sealEncrypt(set, compr, y, "seeded");
    try (RelinKeys rk = RelinKeys.load(ctx, SealHarness.take(keys.get("relinKeysSeeded")));
        GaloisKeys gk = GaloisKeys.load(ctx, SealHarness.take(keys.get("galoisKeysSeeded")));
        SecretKey sk = SecretKey.load(ctx, SealHarness.take(keys.get("secretKey")));
        PublicKey pkSeeded = PublicKey.load(ctx, SealHarness.take(keys.get("publicKeySeeded")));
        Ciphertext a = Ciphertext.load(ctx, SealHarness.take(ea.get("ct")));
        Ciphertext b = Ciphertext.load(ctx, SealHarness.take(eb.get("ct")));
        Evaluator ev = new Evaluator(ctx);
        CkksEncoder enc = new CkksEncoder(ctx);
        Decryptor dec = new Decryptor(ctx, sk);
        Encryptor withSealPk = new Encryptor(ctx, pkSeeded);
        Plaintext p = enc.encode(w, set.scale())) {
      assertEquals(ctx.firstParmsId(), a.parmsId());
      assertEquals(ctx.keyParmsId(), rk.parmsId());
      assertEquals(ctx.keyParmsId(), gk.parmsId());

      // Our decryptor with SEAL's secret key; our encryptor with SEAL's (seeded) public key.
      try (Plaintext pa = dec.decrypt(a);
          Plaintext pb = dec.decrypt(b)) {
        recordLocal(set, compr, "decrypt public ct (ours)", x, enc.decode(pa));
        recordLocal(set, compr, "decrypt seeded ct (ours)", y, enc.decode(pb));
      }
      try (Plaintext px = enc.encode(x, set.scale())) {
        sealDecrypts(set, compr, "encrypt with SEAL pk", x, withSealPk.encrypt(px));
      }

      Map<String, Supplier<Ciphertext>> ops = new LinkedHashMap<>();
      Map<String, double[]> expected = new LinkedHashMap<>();
      ops.put("add", () -> ev.add(a, b));
      expected.put("add", Slots.zip(x, y, Double::sum));
      ops.put("multiply_plain+rescale", () -> rescaled(ev, ev.multiplyPlain(a, p)));
      expected.put("multiply_plain+rescale", Slots.zip(x, w, (u, v) -> u * v));
      ops.put(
          "multiply+relin+rescale",
          () -> {
            try (Ciphertext m = ev.multiply(a, b);
                Ciphertext r = ev.relinearize(m, rk)) {
              assertEquals(3, m.size());
              return ev.rescaleToNext(r);
            }
          });
      expected.put("multiply+relin+rescale", Slots.zip(x, y, (u, v) -> u * v));
      ops.put("rotate 1", () -> ev.rotate(a, 1, gk));
      expected.put("rotate 1", Slots.rotate(x, 1));
      ops.put("mod_switch_to last", () -> ev.modSwitchTo(a, ctx.lastParmsId()));
      expected.put("mod_switch_to last", x);
      if (!set.reduced()) {
        ops.put("negate", () -> ev.negate(a));
        expected.put("negate", Slots.negate(x));
        ops.put("sub", () -> ev.sub(a, b));
        expected.put("sub", Slots.zip(x, y, (u, v) -> u - v));
        ops.put("add_plain", () -> ev.addPlain(a, p));
        expected.put("add_plain", Slots.zip(x, w, Double::sum));
        ops.put("sub_plain", () -> ev.subPlain(a, p));
        expected.put("sub_plain", Slots.zip(x, w, (u, v) -> u - v));
        ops.put(
            "multiply_plain scalar",
            () -> {
              try (Plaintext half = enc.encode(0.5, set.scale(), a.parmsId())) {
                return rescaled(ev, ev.multiplyPlain(a, half));
              }
            });
        expected.put("multiply_plain scalar", Slots.zip(x, x, (u, v) -> 0.5 * u));
        ops.put(
            "square+relin+rescale",
            () -> {
              try (Ciphertext s = ev.square(b);
                  Ciphertext r = ev.relinearize(s, rk)) {
                return ev.rescaleToNext(r);
              }
            });
        expected.put("square+relin+rescale", Slots.zip(y, y, (u, v) -> u * v));
        ops.put(
            "mod_switch ct+pt, multiply_plain",
            () -> {
              ParmsId next = ctx.dataLevels().get(1);
              try (Ciphertext a1 = ev.modSwitchTo(a, next);
                  Plaintext p1 = ev.modSwitchTo(p, next)) {
                return ev.multiplyPlain(a1, p1);
              }
            });
        expected.put("mod_switch ct+pt, multiply_plain", Slots.zip(x, w, (u, v) -> u * v));
        ops.put("rotate -1", () -> ev.rotate(a, -1, gk));
        expected.put("rotate -1", Slots.rotate(x, -1));
        // No exact keys: composed from the power-of-two keys along the steps' non-adjacent form.
        ops.put("rotate 3 (composed 4-1)", () -> ev.rotate(a, 3, gk));
        expected.put("rotate 3 (composed 4-1)", Slots.rotate(x, 3));
        ops.put("rotate 5 (composed 4+1)", () -> ev.rotate(a, 5, gk));
        expected.put("rotate 5 (composed 4+1)", Slots.rotate(x, 5));
        ops.put("conjugate", () -> ev.conjugate(a, gk));
        expected.put("conjugate", x);
      }
      if (unseededToo) {
        ops.put(
            "relin with unseeded key",
            () -> {
              try (RelinKeys plainRk =
                      RelinKeys.load(ctx, SealHarness.take(keys.get("relinKeys")));
                  Ciphertext m = ev.multiply(a, b);
                  Ciphertext r = ev.relinearize(m, plainRk)) {
                return ev.rescaleToNext(r);
              }
            });
        expected.put("relin with unseeded key", Slots.zip(x, y, (u, v) -> u * v));
        ops.put(
            "rotate 2, unseeded key",
            () -> {
              try (GaloisKeys plainGk =
                  GaloisKeys.load(ctx, SealHarness.take(keys.get("galoisKeys")))) {
                return ev.rotate(a, 2, plainGk);
              }
            });
        expected.put("rotate 2, unseeded key", Slots.rotate(x, 2));
      }
      for (Map.Entry<String, Supplier<Ciphertext>> op : ops.entrySet()) {
        sealDecrypts(set, compr, op.getKey(), expected.get(op.getKey()), op.getValue().get());
      }
      if (set.reduced()) {
        // Keys travel with zstd only here; ciphertexts in the other modes, both ways.
        for (Compression other : new Compression[] {Compression.NONE, Compression.ZLIB}) {
          try (Ciphertext c =
              Ciphertext.load(
                  ctx, SealHarness.take(sealEncrypt(set, other, y, "seeded").get("ct")))) {
            sealDecrypts(
                set,
                other,
                "add (ct in " + mode(other) + ")",
                Slots.zip(x, y, Double::sum),
                ev.add(a, c));
          }
        }
      }
      if (!set.reduced()) {
        int[] steps = {1, 2, 4, -1};
        List<Ciphertext> rotated = ev.rotateHoisted(a, steps, gk);
        for (int i = 0; i < steps.length; i++) {
          sealDecrypts(
              set, compr, "hoisted rotate " + steps[i], Slots.rotate(x, steps[i]), rotated.get(i));
        }
      }
    }
  }

  private static Ciphertext rescaled(Evaluator ev, Ciphertext product) {
    try (product) {
      return ev.rescaleToNext(product);
    }
  }

  private void recordLocal(
      ParameterSet set, Compression compr, String op, double[] expected, double[] actual) {
    record(set, compr, "seal→veil", op, Slots.maxAbsError(expected, actual));
  }

  private JsonNode sealEval(
      ParameterSet set, Compression compr, String op, String a, Map<String, Object> extra) {
    Map<String, Object> req = new LinkedHashMap<>(extra);
    req.put("ctx", set.name());
    req.put("op", op);
    req.put("a", a);
    req.put("compr", mode(compr));
    return seal(set).call("eval", req);
  }

  private double[] sealDecryptFile(ParameterSet set, String file, int count) {
    return SealHarness.doubles(
        seal(set)
            .call("decrypt", Map.of("ctx", set.name(), "ct", file, "count", count))
            .get("values"));
  }

  /** Our keys and ciphertexts, saved in every mode, loaded, evaluated and decrypted by SEAL. */
  private void ourKeysAndCiphertextsThroughSeal(ParameterSet set) {
    for (Compression compr : keyModes(set)) {
      veilToSeal(set, compr);
    }
  }

  private void veilToSeal(ParameterSet set, Compression compr) {
    CkksContext ctx = context(set);
    int slots = ctx.slotCount();
    double[] x = Slots.random(21, slots);
    double[] y = Slots.random(22, slots);
    double[] w = Slots.random(23, slots);
    try (KeyGenerator kg = new KeyGenerator(ctx);
        SecretKey sk = kg.secretKey();
        PublicKey pk = kg.createPublicKey();
        CkksEncoder enc = new CkksEncoder(ctx);
        Encryptor publicEnc = new Encryptor(ctx, pk);
        Encryptor secretEnc = new Encryptor(ctx, sk);
        Decryptor dec = new Decryptor(ctx, sk);
        Plaintext px = enc.encode(x, set.scale());
        Plaintext py = enc.encode(y, set.scale());
        Ciphertext a = publicEnc.encrypt(px)) {
      Map<String, Object> keyFiles = new LinkedHashMap<>();
      keyFiles.put("ctx", set.name());
      keyFiles.put("secretKey", seal(set).put("sk", sk.save(compr)));
      keyFiles.put("publicKey", seal(set).put("pk", kg.createPublicKeySeeded(compr)));
      keyFiles.put("relinKeys", seal(set).put("rk", kg.createRelinKeysSeeded(compr)));
      keyFiles.put(
          "galoisKeys", seal(set).put("gk", kg.createGaloisKeysSeeded(compr, set.rotationSteps)));
      seal(set).call("loadKeys", keyFiles);

      String fa = seal(set).put("a", a.save(compr));
      String fb = seal(set).put("b", secretEnc.encryptSeeded(py, compr));
      recordReverse(set, compr, "SEAL decrypts our public ct", x, sealDecryptFile(set, fa, slots));
      recordReverse(set, compr, "SEAL decrypts our seeded ct", y, sealDecryptFile(set, fb, slots));

      // SEAL encrypts with our seeded public key; we decrypt with our secret key.
      JsonNode sealCt = sealEncrypt(set, compr, w, "public");
      try (Ciphertext c = Ciphertext.load(ctx, SealHarness.take(sealCt.get("ct")));
          Plaintext pc = dec.decrypt(c)) {
        recordReverse(set, compr, "we decrypt SEAL ct (our pk)", w, enc.decode(pc));
      }

      String product = sealEval(set, compr, "multiply", fa, Map.of("b", fb)).get("ct").asText();
      String relin = sealEval(set, compr, "relinearize", product, Map.of()).get("ct").asText();
      String rescaled = sealEval(set, compr, "rescale", relin, Map.of()).get("ct").asText();
      recordReverse(
          set,
          compr,
          "SEAL multiply+relin+rescale",
          Slots.zip(x, y, (u, v) -> u * v),
          sealDecryptFile(set, rescaled, slots));
      String rotated =
          sealEval(
                  set,
                  compr,
                  "rotate",
                  fa,
                  Map.of("steps", set.rotationSteps[set.reduced() ? 0 : 1]))
              .get("ct")
              .asText();
      int step = set.rotationSteps[set.reduced() ? 0 : 1];
      recordReverse(
          set,
          compr,
          "SEAL rotate " + step,
          Slots.rotate(x, step),
          sealDecryptFile(set, rotated, slots));
      // A SEAL-evaluated ciphertext decrypted by us.
      try (Ciphertext c =
              Ciphertext.load(
                  ctx,
                  SealHarness.take(
                      seal(set)
                          .call(
                              "eval",
                              Map.of(
                                  "ctx",
                                  set.name(),
                                  "op",
                                  "rescale",
                                  "a",
                                  relin,
                                  "compr",
                                  mode(compr)))
                          .get("ct")));
          Plaintext pc = dec.decrypt(c)) {
        recordReverse(
            set,
            compr,
            "we decrypt SEAL product",
            Slots.zip(x, y, (u, v) -> u * v),
            enc.decode(pc));
      }
      if (!set.reduced() && compr == Compression.NONE) {
        // The other SEAL operations once per set: the compression mode changes only the bytes.
        String conj = sealEval(set, compr, "conjugate", fa, Map.of()).get("ct").asText();
        recordReverse(set, compr, "SEAL conjugate", x, sealDecryptFile(set, conj, slots));
        String plainProduct =
            sealEval(set, compr, "multiplyPlain", fb, Map.of("values", w, "scale", set.scale()))
                .get("ct")
                .asText();
        String down = sealEval(set, compr, "rescale", plainProduct, Map.of()).get("ct").asText();
        recordReverse(
            set,
            compr,
            "SEAL multiply_plain+rescale",
            Slots.zip(y, w, (u, v) -> u * v),
            sealDecryptFile(set, down, slots));
        String sum = sealEval(set, compr, "add", fa, Map.of("b", fb)).get("ct").asText();
        recordReverse(
            set, compr, "SEAL add", Slots.zip(x, y, Double::sum), sealDecryptFile(set, sum, slots));
        String last =
            sealEval(set, compr, "modSwitchTo", fa, Map.of("chainIndex", 0)).get("ct").asText();
        recordReverse(set, compr, "SEAL mod_switch_to last", x, sealDecryptFile(set, last, slots));
        String sq = sealEval(set, compr, "square", fb, Map.of()).get("ct").asText();
        String sqr = sealEval(set, compr, "relinearize", sq, Map.of()).get("ct").asText();
        recordReverse(
            set,
            compr,
            "SEAL square+relin",
            Slots.zip(y, y, (u, v) -> u * v),
            sealDecryptFile(set, sqr, slots));
      }
    }
  }

  private void recordReverse(
      ParameterSet set, Compression compr, String op, double[] expected, double[] actual) {
    record(set, compr, "veil→seal", op, Slots.maxAbsError(expected, actual));
  }

  /** Primes as node-seal reports them (decimal strings). */
  private static long[] primes(JsonNode decimals) {
    long[] primes = new long[decimals.size()];
    for (int i = 0; i < primes.length; i++) {
      primes[i] = Long.parseUnsignedLong(decimals.get(i).asText());
    }
    return primes;
  }

  private void parmsIdsAndPrimesEqualSealsAtEveryLevel(ParameterSet set) {
    CkksContext fromSeal = context(set); // built from SEAL's serialized parameters
    JsonNode sealOwn = sealParameters.get(set);
    JsonNode chain = sealChains.get(set); // SEAL's context of our zstd-saved parameters
    CkksParameters ours = CkksParameters.withBitSizes(set.n, set.bits);
    long[] sealPrimes = primes(sealOwn.get("primes"));
    assertArrayEquals(sealPrimes, ours.coeffModulus(), "CoeffModulus::Create primes");
    assertEquals(fromSeal.parameters(), ours);
    assertEquals(SealHarness.parmsId(sealOwn.get("parmsId")), ours.parmsId());
    // SEAL reads our saved parameters back to its own (same primes and parms_id), so the chain
    // below is the one SEAL builds for its own parameters.
    assertEquals(sealOwn.get("primes"), chain.get(0).get("primes"), "primes SEAL read from ours");
    assertEquals(
        sealOwn.get("parmsId"), chain.get(0).get("parmsId"), "parms_id SEAL read from ours");
    try (CkksContext ctx = CkksContext.create(ours)) {
      assertEquals(chain.size(), ctx.chain().size(), "levels");
      for (int i = 0; i < chain.size(); i++) {
        ParmsId level = ctx.chain().get(i);
        assertEquals(
            SealHarness.parmsId(chain.get(i).get("parmsId")), level, "parms_id at level " + i);
        assertEquals(chain.get(i).get("chainIndex").asInt(), ctx.chainIndex(level), "chain index");
        assertArrayEquals(
            Arrays.copyOf(sealPrimes, ctx.primeCount(level)),
            primes(chain.get(i).get("primes")),
            "primes at level " + i);
      }
    }
    // Our compressed forms read back equal.
    for (Compression c : Compression.values()) {
      assertEquals(ours, CkksParameters.load(ours.save(c)), "parameters saved with " + c);
    }
  }
}
