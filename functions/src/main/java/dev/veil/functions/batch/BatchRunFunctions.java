package dev.veil.functions.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import dev.veil.functions.StandaloneScope;
import dev.veil.functions.http.ErrorResponses;
import dev.veil.functions.http.FunctionFailure;
import dev.veil.runtime.spi.HostScope;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Batch scoring as a service (seed 002 §7.2.3, a published batch pipeline), over {@link BatchRuns}:
 *
 * <ul>
 *   <li>{@code POST batch/runs} with a {@link BatchRunRequest} → 202 and the run, queued;
 *   <li>{@code GET batch/runs} → {@code {"runs": [...]}}, newest first;
 *   <li>{@code GET batch/runs/{id}} → the run: status (queued, running, succeeded, failed,
 *       cancelled), {@code rows_done} of {@code rows_total}, {@code errors}, mini-batches, times;
 *   <li>{@code DELETE batch/runs/{id}} → the run, cancelled (a finished run is returned as it is).
 * </ul>
 *
 * {@code batchRunsWeekly} starts the run described by {@value #SCHEDULED_RUN} every week, as the
 * seed schedules its published pipeline. {@code batchRunsResume}, a timer every 5 s, queues on this
 * host the stored runs that are queued or running and not active here: after a restart a run
 * resumes from its last recorded mini-batch.
 */
public class BatchRunFunctions {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HostScope scope;

  /** On Azure's Java worker: the process's {@link StandaloneScope}. */
  public BatchRunFunctions() {
    this(StandaloneScope.get());
  }

  /** In a Veil host: runs kept in the storage its settings name. */
  public BatchRunFunctions(HostScope scope) {
    this.scope = scope;
  }

  @FunctionName("batchRuns")
  public HttpResponseMessage runs(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET, HttpMethod.POST},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "batch/runs")
          HttpRequestMessage<Optional<String>> request) {
    if (request.getHttpMethod() == HttpMethod.POST) {
      return answer(
          request,
          HttpStatus.ACCEPTED,
          () -> BatchRuns.of(scope).submit(BatchRunRequest.parse(request.getBody().orElse(null))));
    }
    return answer(request, HttpStatus.OK, () -> Map.of("runs", BatchRuns.of(scope).history()));
  }

  @FunctionName("batchRun")
  public HttpResponseMessage run(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET, HttpMethod.DELETE},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "batch/runs/{id}")
          HttpRequestMessage<Optional<String>> request,
      @BindingName("id") String id) {
    BatchRuns runs = BatchRuns.of(scope);
    return answer(
        request,
        HttpStatus.OK,
        () -> request.getHttpMethod() == HttpMethod.DELETE ? runs.cancel(id) : runs.get(id));
  }

  @FunctionName("batchRunsResume")
  public void resume(
      @TimerTrigger(name = "timer", schedule = "*/5 * * * * *") String timer,
      ExecutionContext context) {
    int resumed = BatchRuns.of(scope).resume();
    if (resumed > 0) {
      context.getLogger().info("resumed " + resumed + " batch run(s)");
    }
  }

  /**
   * The seed's weekly schedule (Sundays 00:00 in the app's time zone): submits the run that app
   * setting {@value #SCHEDULED_RUN} describes (a {@code POST batch/runs} body); nothing when it is
   * unset. A bad description fails the call, with the field named in the host's log.
   */
  @FunctionName("batchRunsWeekly")
  public void weekly(
      @TimerTrigger(name = "timer", schedule = "0 0 0 * * 0") String timer,
      ExecutionContext context) {
    String body = scope.settings().get(SCHEDULED_RUN, "");
    if (body.isBlank()) {
      return;
    }
    try {
      String id = BatchRuns.of(scope).submit(BatchRunRequest.parse(body)).get("id").asText();
      context.getLogger().info("scheduled batch run " + id + " queued");
    } catch (FunctionFailure e) {
      throw new IllegalArgumentException(SCHEDULED_RUN + ": " + e.getMessage(), e);
    }
  }

  static final String SCHEDULED_RUN = "BATCH_SCHEDULED_RUN";

  private static HttpResponseMessage answer(
      HttpRequestMessage<?> request, HttpStatus status, Supplier<Object> body) {
    try {
      return request
          .createResponseBuilder(status)
          .header("Content-Type", "application/json")
          .body(JSON.writeValueAsString(body.get()))
          .build();
    } catch (FunctionFailure e) {
      return ErrorResponses.of(request, e);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // JSON trees and maps of them always serialize
    }
  }
}
