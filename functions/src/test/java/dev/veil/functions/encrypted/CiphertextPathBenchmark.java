package dev.veil.functions.encrypted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.he.Ciphertext;
import dev.veil.he.CkksContext;
import dev.veil.he.CkksEncoder;
import dev.veil.he.CkksParameters;
import dev.veil.he.Compression;
import dev.veil.he.Encryptor;
import dev.veil.he.KeyGenerator;
import dev.veil.he.Plaintext;
import dev.veil.he.SecretKey;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (run with -Dtest=CiphertextPathBenchmark): the cost of a ciphertext's way
 * from the request body into the engine and of the result's way into the response body, without
 * evaluation, for the code before issue 21's single-copy path (Jackson tree, whitespace regex,
 * java.util.Base64, a byte[] handed to the engine and copied there, the result base64-encoded into
 * a JSON string) and for the current one, in alternating rounds of the same run. Thread-CPU time;
 * writes target/ciphertext-path-bench.txt.
 */
class CiphertextPathBenchmark {

  private static final int ROUNDS = Integer.getInteger("bench.rounds", 15);
  private static final int REPS = Integer.getInteger("bench.reps", 20);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void run() throws Exception {
    StringBuilder report = new StringBuilder();
    EncryptedModel model = EncryptedFunctionSpec.mnist(MnistLinearModel.bundled()).model(4096);
    try (CkksContext ctx = CkksContext.create(CkksParameters.withBitSizes(8192, 60, 40, 60));
        KeyGenerator keygen = new KeyGenerator(ctx);
        SecretKey sk = keygen.secretKey();
        CkksEncoder encoder = new CkksEncoder(ctx);
        Encryptor encryptor = new Encryptor(ctx, sk)) {
      double[] values = new double[encoder.slotCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] = Math.sin(i);
      }
      byte[] seeded;
      try (Plaintext p = encoder.encode(values, Math.scalb(1.0, 40))) {
        seeded = encryptor.encryptSeeded(p, Compression.ZSTD); // what a SEAL client sends
      }
      byte[] json =
          ("{\"data\":\""
                  + Base64.getEncoder().encodeToString(seeded)
                  + "\",\"key_id\":\"alice\",\"container\":\"veil-keys\"}")
              .getBytes(StandardCharsets.UTF_8);
      Map<String, String> jsonHeaders = Map.of("content-type", "application/json");
      Map<String, String> binaryHeaders = Map.of("content-type", "application/octet-stream");
      Map<String, String> query = Map.of("key_id", "alice", "container", "veil-keys");

      Way[] paths = {
        () -> { // before, JSON
          JsonNode root = JSON.readTree(json);
          byte[] ct = Base64.getDecoder().decode(root.get("data").asText().replaceAll("\\s", ""));
          try (Ciphertext c = Ciphertext.load(ctx, ct)) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("data", Base64.getEncoder().encodeToString(c.save(Compression.ZSTD)));
            body.put("outputs", model.outputs());
            body.put("window", model.window());
            body.put("samples_per_ciphertext", model.samplesPerCiphertext());
            return JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8).length;
          }
        },
        () -> { // now, JSON
          EncryptedRequest r = EncryptedRequest.parse(json, jsonHeaders::get, query::get);
          try (Ciphertext c = r.ciphertext().load(ctx)) {
            return ResultBody.JSON.write(c, model, Compression.ZSTD).length;
          }
        },
        () -> { // before, binary: the engine copied the array, then loaded
          try (Ciphertext c = Ciphertext.load(ctx, seeded)) {
            return c.save(Compression.ZSTD).length;
          }
        },
        () -> { // now, binary
          EncryptedRequest r = EncryptedRequest.parse(seeded, binaryHeaders::get, query::get);
          try (Ciphertext c = r.ciphertext().load(ctx)) {
            return ResultBody.BINARY.write(c, model, Compression.ZSTD).length;
          }
        },
        // where the time goes now: parsing alone, loading alone
        () -> EncryptedRequest.parse(json, jsonHeaders::get, query::get).ciphertext().length(),
        () -> {
          try (Ciphertext c = Ciphertext.load(ctx, seeded, 0, seeded.length, false)) {
            return c.size();
          }
        },
      };
      String[] names = {
        "JSON before", "JSON now", "binary before", "binary now", "JSON parse only", "load only"
      };
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      double[][] us = new double[paths.length][ROUNDS];
      for (int warm = 0; warm < 3; warm++) {
        for (Way p : paths) {
          for (int i = 0; i < REPS; i++) {
            p.run();
          }
        }
      }
      for (int round = 0; round < ROUNDS; round++) {
        for (int k = 0; k < paths.length; k++) {
          long c0 = threads.getCurrentThreadCpuTime();
          for (int i = 0; i < REPS; i++) {
            paths[k].run();
          }
          us[k][round] = (threads.getCurrentThreadCpuTime() - c0) / 1e3 / REPS;
        }
      }
      line(
          report,
          "ciphertext path (parse + load + save into the body, no evaluation): N=8192 [60,40,60], seeded zstd"
              + " request of %d bytes (%d as JSON); thread-CPU µs per request, median of %d rounds x %d",
          seeded.length,
          json.length,
          ROUNDS,
          REPS);
      for (int k = 0; k < paths.length; k++) {
        line(
            report,
            "  %-14s %8.1f µs",
            names[k],
            EncryptedInferenceBenchmark.percentile(us[k], 50));
      }
      line(
          report,
          "  JSON now/before %.2f, binary now/before %.2f",
          EncryptedInferenceBenchmark.percentile(us[1], 50)
              / EncryptedInferenceBenchmark.percentile(us[0], 50),
          EncryptedInferenceBenchmark.percentile(us[3], 50)
              / EncryptedInferenceBenchmark.percentile(us[2], 50));
    }
    Files.writeString(Path.of("target", "ciphertext-path-bench.txt"), report);
  }

  private interface Way {
    int run() throws Exception;
  }

  private static void line(StringBuilder report, String format, Object... args) {
    String s = String.format(format, args);
    System.out.println(s);
    report.append(s).append('\n');
  }
}
