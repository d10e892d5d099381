package dev.veil.functions.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * {@code veil batch --host URL ...}: submits a run to a host's batch service ({@link
 * BatchRunFunctions}) and follows it with a progress bar until it ends. Exit code 0 when the run
 * succeeded, 1 when it failed, was cancelled or the host could not be reached, 2 on bad arguments
 * (including the host's 400).
 */
final class BatchHostCli {
  static final String USAGE =
      "veil batch --host URL --input CONTAINER[/PREFIX] --output CONTAINER[/PREFIX] [--key KEY]"
          + " [--function auto|breast-cancer|mnist] [--mini-batch-size N] [--error-threshold N]"
          + " (key default: $VEIL_FUNCTION_KEY)";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(500);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private String key;

  BatchHostCli(String defaultKey) {
    this.key = defaultKey;
  }

  int run(List<String> args, PrintStream out, PrintStream err) {
    String host = null;
    ObjectNode body = JSON.createObjectNode();
    try {
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (i + 1 >= args.size() || !a.startsWith("--")) {
          throw new IllegalArgumentException(
              a.startsWith("--") ? a + " needs a value" : "unexpected '" + a + "' with --host");
        }
        String v = args.get(++i);
        switch (a) {
          case "--host" -> host = v.replaceAll("/+$", "");
          case "--key" -> key = v;
          case "--input" -> body.set("input", location(v));
          case "--output" -> body.set("output", location(v));
          case "--function" -> body.put("model", v);
          case "--mini-batch-size" -> body.put("mini_batch_size", BatchCli.number(a, v));
          case "--error-threshold" -> body.put("error_threshold", BatchCli.number(a, v));
          default -> throw new IllegalArgumentException("unknown option '" + a + "' with --host");
        }
      }
      if (!body.has("input") || !body.has("output")) {
        throw new IllegalArgumentException("--input and --output are required with --host");
      }
    } catch (IllegalArgumentException e) {
      err.println("veil batch: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    }
    try {
      HttpResponse<String> submitted = send("POST", host + "/api/batch/runs", body.toString());
      if (submitted.statusCode() != 202) {
        err.println(
            "veil batch: the host answered " + submitted.statusCode() + ": " + submitted.body());
        return submitted.statusCode() == 400 ? 2 : 1;
      }
      String id = JSON.readTree(submitted.body()).path("id").asText();
      out.println("veil batch: run " + id + " queued on " + host);
      BatchCli.Progress progress = null;
      while (true) {
        HttpResponse<String> polled = send("GET", host + "/api/batch/runs/" + id, null);
        if (polled.statusCode() != 200) {
          err.println(
              "veil batch: the host answered " + polled.statusCode() + ": " + polled.body());
          return 1;
        }
        JsonNode run = JSON.readTree(polled.body());
        String status = run.path("status").asText();
        if (progress == null && run.path("rows_total").asLong() > 0) {
          progress =
              new BatchCli.Progress(run.path("rows_total").asLong(), System.console() != null, err);
        }
        if (progress != null) {
          progress.show(run.path("rows_done").asLong(), status);
        }
        if (BatchRuns.FINISHED.contains(status)) {
          if (progress != null) {
            progress.finish();
          }
          out.println(
              "veil batch: run "
                  + id
                  + " "
                  + status
                  + ": "
                  + run.path("rows_done").asLong()
                  + " of "
                  + run.path("rows_total").asLong()
                  + " rows, "
                  + run.path("errors").asLong()
                  + " errors"
                  + (run.has("reason") ? " (" + run.get("reason").asText() + ")" : ""));
          return status.equals("succeeded") ? 0 : 1;
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (IOException e) {
      err.println("veil batch: cannot reach " + host + ": " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private HttpResponse<String> send(String method, String url, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (key != null && !key.isBlank()) {
      r.header("x-functions-key", key);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code container/prefix} → {@code {"container", "prefix"}}. */
  private static ObjectNode location(String value) {
    int slash = value.indexOf('/');
    ObjectNode node = JSON.createObjectNode();
    node.put("container", slash < 0 ? value : value.substring(0, slash));
    node.put("prefix", slash < 0 ? "" : value.substring(slash + 1));
    return node;
  }
}
