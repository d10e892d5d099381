package dev.veil.functions.smpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.smpc.FixedPoint;
import dev.veil.smpc.Prg;
import dev.veil.smpc.Shares;
import dev.veil.smpc.Wire;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The client of secure serving: splits its input into two shares, sends one to each compute party,
 * and adds the parties' output shares back together. Neither party sees the input or the result;
 * the client never sees the weights. A failure of either party fails the call at once with that
 * party's error.
 */
public final class SmpcClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One HTTP client per process (Java 17's cannot be closed; each instance would keep a selector
   * thread).
   */
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final URI[] parties;

  /**
   * Models' public facts by name, asked once: a request then needs no extra round trip (refreshed
   * on a version change).
   */
  private final java.util.Map<String, ModelInfo> known =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final String functionKey;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param party0 base URL of party 0 up to the route prefix, e.g. {@code
   *     http://127.0.0.1:7071/api}
   * @param functionKey sent as {@code x-functions-key}; null for none
   */
  public SmpcClient(URI party0, URI party1, String functionKey, Duration timeout) {
    this(party0, party1, functionKey, timeout, HTTP);
  }

  /**
   * A client on {@code http}, e.g. one that presents a client certificate to parties that require
   * one.
   */
  public SmpcClient(URI party0, URI party1, String functionKey, Duration timeout, HttpClient http) {
    this.parties = new URI[] {trim(party0), trim(party1)};
    this.functionKey = functionKey;
    this.timeout = timeout;
    this.http = http;
  }

  private static URI trim(URI u) {
    String s = u.toString();
    return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
  }

  /** A model's public facts, as both parties report them. */
  public record ModelInfo(
      String model, String version, int inputs, int outputs, FixedPoint fixedPoint) {}

  /**
   * What the parties reveal: SCORES (4 rounds for the MNIST MLP; the client takes the argmax),
   * ARGMAX (the predicted classes only, computed on shares: the client learns no scores; 9 rounds)
   * or BOTH.
   */
  public enum Output {
    SCORES,
    ARGMAX,
    BOTH
  }

  /**
   * Reconstructed scores (null with {@link Output#ARGMAX}) (rows×classes) and predicted class per
   * row; party 0's rounds and bytes sent, and its time fetching the session's material from the
   * provider and running the online protocol (wall clock, and the CPU time of its thread); whether
   * both parties ran on material fetched ahead of the request.
   */
  public record Prediction(
      double[][] scores,
      int[] labels,
      long rounds,
      long bytesPerParty,
      double materialMillis,
      double onlineMillis,
      double onlineCpuMillis,
      boolean materialPrefetched) {}

  /** Fails when the two parties hold different versions of the model. */
  public ModelInfo info(String model) {
    JsonNode[] answers =
        both(
            i ->
                send(
                    i,
                    HttpRequest.newBuilder(URI.create(parties[i] + "/smpc/model/" + model)).GET()));
    String v0 = answers[0].path("version").asText(), v1 = answers[1].path("version").asText();
    if (!v0.equals(v1)) {
      throw new SmpcClientException(
          "the parties hold different versions of "
              + model
              + ": party 0 "
              + v0
              + ", party 1 "
              + v1);
    }
    return new ModelInfo(
        model,
        v0,
        answers[0].path("inputs").asInt(),
        answers[0].path("outputs").asInt(),
        new FixedPoint(answers[0].path("fracBits").asInt()));
  }

  /**
   * Scores and classes ({@link Output#SCORES}: the argmax is taken here, on the reconstructed
   * scores).
   */
  public Prediction predict(String model, double[][] rows) {
    return predict(model, rows, Output.SCORES);
  }

  public Prediction predict(String model, double[][] rows, Output output) {
    ModelInfo info = cachedInfo(model);
    JsonNode[] answers;
    try {
      answers = run(info, rows, null, output.name().toLowerCase(java.util.Locale.ROOT));
    } catch (SmpcClientException e) {
      if (!e.getMessage().contains("model version mismatch")) {
        throw e;
      }
      known.remove(model); // the model was shared anew: ask again, once
      info = cachedInfo(model);
      answers = run(info, rows, null, output.name().toLowerCase(java.util.Locale.ROOT));
    }
    int n = rows.length, classes = info.outputs();
    double[][] out = output == Output.ARGMAX ? null : new double[n][classes];
    int[] labels = new int[n];
    if (out != null) {
      long[] scores = Shares.reconstruct(words(answers[0], "scores"), words(answers[1], "scores"));
      for (int r = 0; r < n; r++) {
        for (int k = 0; k < classes; k++) {
          out[r][k] = info.fixedPoint().decode(scores[r * classes + k]);
        }
        labels[r] = dev.veil.smpc.Mlp.argmax(out[r]);
      }
    }
    if (output != Output.SCORES) {
      long[] argmax = Shares.reconstruct(words(answers[0], "argmax"), words(answers[1], "argmax"));
      for (int r = 0; r < n; r++) {
        labels[r] = (int) argmax[r];
      }
    }
    return new Prediction(
        out,
        labels,
        answers[0].path("rounds").asLong(),
        answers[0].path("bytesSent").asLong(),
        answers[0].path("materialMillis").asDouble(),
        answers[0].path("onlineMillis").asDouble(),
        answers[0].path("onlineCpuMillis").asDouble(),
        answers[0].path("materialPrefetched").asBoolean()
            && answers[1].path("materialPrefetched").asBoolean());
  }

  /** Remembers a model's facts (package-private: tests stand in an outdated entry with it). */
  void remember(ModelInfo info) {
    known.put(info.model(), info);
  }

  private ModelInfo cachedInfo(String model) {
    ModelInfo info = known.get(model);
    if (info == null) {
      info = info(model);
      known.put(model, info);
    }
    return info;
  }

  /**
   * The seed's accuracy under sharing: the parties compare predictions with shared labels; only the
   * count comes back.
   */
  public long correctCount(String model, double[][] rows, int[] labels) {
    long[] l = new long[labels.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = labels[i];
    }
    JsonNode[] answers = run(info(model), rows, l, "argmax");
    long c0 = answers[0].path("correct").asLong(), c1 = answers[1].path("correct").asLong();
    if (c0 != c1) {
      throw new SmpcClientException("the parties opened different counts: " + c0 + " and " + c1);
    }
    return c0;
  }

  private JsonNode[] run(ModelInfo info, double[][] rows, long[] labels, String output) {
    if (rows.length == 0) {
      throw new IllegalArgumentException("no rows to predict");
    }
    long[] x = new long[rows.length * info.inputs()];
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length != info.inputs()) {
        throw new IllegalArgumentException(
            "row "
                + r
                + " has "
                + rows[r].length
                + " values; "
                + info.model()
                + " takes "
                + info.inputs());
      }
      for (int i = 0; i < info.inputs(); i++) {
        x[r * info.inputs() + i] = info.fixedPoint().encode(rows[r][i]);
      }
    }
    Prg prg = Prg.fresh();
    long[][] shares = Shares.split(x, prg);
    long[][] labelShares = labels == null ? null : Shares.split(labels, prg);
    String session = SessionKeys.newSession();
    return both(
        i -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("session", session);
          body.put("model", info.model());
          body.put("version", info.version());
          body.put("rows", rows.length);
          body.put("output", output);
          body.put("share", Base64.getEncoder().encodeToString(Wire.toBytes(shares[i])));
          if (labelShares != null) {
            body.put("labels", Base64.getEncoder().encodeToString(Wire.toBytes(labelShares[i])));
          }
          try {
            return send(
                i,
                HttpRequest.newBuilder(URI.create(parties[i] + "/smpc/predict"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
          } catch (IOException e) {
            throw new SmpcClientException("cannot encode the request: " + e.getMessage());
          }
        });
  }

  private static long[] words(JsonNode answer, String field) {
    return Wire.fromBytes(Base64.getDecoder().decode(answer.path(field).asText()));
  }

  private CompletableFuture<JsonNode> send(int party, HttpRequest.Builder request) {
    request.timeout(timeout);
    if (functionKey != null) {
      request.header("x-functions-key", functionKey);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .handle(
            (r, error) -> {
              if (error != null) {
                Throwable cause =
                    error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                throw new SmpcClientException(
                    "party "
                        + party
                        + " at "
                        + parties[party].getAuthority()
                        + (cause instanceof java.net.ConnectException
                            ? " is unreachable (connection refused)"
                            : " failed: " + cause));
              }
              JsonNode body;
              try {
                body = JSON.readTree(r.body());
              } catch (IOException e) {
                body = null;
              }
              if (r.statusCode() != 200 || body == null) {
                String why =
                    body != null && body.has("error") ? body.path("error").asText() : r.body();
                throw new SmpcClientException(
                    "party " + party + " answered " + r.statusCode() + ": " + why);
              }
              return body;
            });
  }

  /** Both parties' answers; the first failure ends the call without waiting for the other party. */
  private static JsonNode[] both(java.util.function.IntFunction<CompletableFuture<JsonNode>> call) {
    List<CompletableFuture<JsonNode>> calls = List.of(call.apply(0), call.apply(1));
    CompletableFuture<Void> all = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    CompletableFuture<Object> firstFailure = new CompletableFuture<>();
    for (CompletableFuture<JsonNode> c : calls) {
      c.whenComplete(
          (v, e) -> {
            if (e != null) {
              firstFailure.completeExceptionally(e);
            }
          });
    }
    try {
      CompletableFuture.anyOf(all, firstFailure).join();
      return new JsonNode[] {calls.get(0).join(), calls.get(1).join()};
    } catch (CompletionException e) {
      throw e.getCause() instanceof SmpcClientException s
          ? s
          : new SmpcClientException(String.valueOf(e.getCause()));
    }
  }

  /** A failed secure call; the message names the party and its error. */
  public static final class SmpcClientException extends RuntimeException {
    public SmpcClientException(String message) {
      super(message);
    }
  }
}
