package dev.veil.he;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Drives one node-seal process (src/test/node/seal-harness.js): real Microsoft SEAL on the other
 * side of the compatibility tests. Start it once per test class; serialized objects travel as
 * files.
 */
final class SealHarness implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final BufferedWriter in;
  private final BufferedReader out;
  private final Path workDir;
  private int nextId = 1;

  private SealHarness(Process process, Path workDir) {
    this.process = process;
    this.workDir = workDir;
    this.in =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  static SealHarness start() {
    Path nodeDir =
        Path.of(System.getProperty("veil.he.node.dir", "src/test/node")).toAbsolutePath();
    if (!Files.isDirectory(nodeDir.resolve("node_modules/node-seal"))) {
      throw new IllegalStateException(
          "node-seal is not installed in " + nodeDir + "; run scripts/setup.sh (npm ci there)");
    }
    try {
      Path workDir = Files.createTempDirectory("veil-seal-");
      Process p =
          new ProcessBuilder(
                  "node", nodeDir.resolve("seal-harness.js").toString(), workDir.toString())
              .directory(nodeDir.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      SealHarness harness = new SealHarness(p, workDir);
      JsonNode ready = harness.readAnswer();
      if (!ready.path("ready").asBoolean()) {
        throw new IllegalStateException("seal-harness did not start: " + ready);
      }
      return harness;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node for seal-harness.js", e);
    }
  }

  /** Sends a command; returns the answer or throws {@link SealError} with SEAL's message. */
  synchronized JsonNode call(String cmd, Map<String, ?> args) {
    ObjectNode req = JSON.valueToTree(args);
    int id = nextId++;
    req.put("id", id).put("cmd", cmd);
    try {
      in.write(JSON.writeValueAsString(req));
      in.write('\n');
      in.flush();
      JsonNode answer = readAnswer();
      if (answer.path("id").asInt() != id) {
        throw new IllegalStateException("seal-harness answered out of order: " + answer);
      }
      if (!answer.path("ok").asBoolean()) {
        throw new SealError(cmd + ": " + answer.path("error").asText());
      }
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException("seal-harness pipe broke", e);
    }
  }

  private JsonNode readAnswer() throws IOException {
    String line = out.readLine();
    if (line == null) {
      throw new IllegalStateException("seal-harness exited (see its stderr above)");
    }
    return JSON.readTree(line);
  }

  /** Writes bytes for node-seal to load; returns the file path to put in a request. */
  String put(String tag, byte[] bytes) {
    try {
      Path file = Files.createTempFile(workDir, "java-" + tag + "-", ".bin");
      Files.write(file, bytes);
      return file.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a file node-seal wrote (a path from an answer) and deletes it. */
  static byte[] take(JsonNode path) {
    try {
      Path file = Path.of(path.asText());
      byte[] bytes = Files.readAllBytes(file);
      Files.delete(file);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double[] doubles(JsonNode array) {
    double[] v = new double[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.get(i).asDouble();
    }
    return v;
  }

  /** A parms_id as node-seal reports it (four hex words). */
  static ParmsId parmsId(JsonNode words) {
    return new ParmsId(
        Long.parseUnsignedLong(words.get(0).asText(), 16),
        Long.parseUnsignedLong(words.get(1).asText(), 16),
        Long.parseUnsignedLong(words.get(2).asText(), 16),
        Long.parseUnsignedLong(words.get(3).asText(), 16));
  }

  @Override
  public void close() {
    try {
      in.write("{\"cmd\":\"quit\"}\n");
      in.close(); // end of input also ends the harness
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // temp files only
    }
  }

  /** SEAL refused something (its message). */
  static final class SealError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SealError(String message) {
      super(message);
    }
  }
}
