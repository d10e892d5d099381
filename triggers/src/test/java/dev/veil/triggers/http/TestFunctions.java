package dev.veil.triggers.http;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FixedDelayRetry;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Plain Azure Functions code, as a user would write it: no Veil types. */
public class TestFunctions {
  static final AtomicInteger FLAKY_CALLS = new AtomicInteger();

  public record Point(double x, double y) {}

  public record Sum(double sum) {}

  @FunctionName("hello")
  public String hello(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "hello/{name}")
          HttpRequestMessage<Optional<String>> request,
      @BindingName("name") String name,
      ExecutionContext context) {
    context.getLogger().info("greeting " + name);
    return request.getQueryParameters().getOrDefault("greeting", "Hello")
        + ", "
        + name
        + " from "
        + context.getFunctionName();
  }

  @FunctionName("items")
  public Map<String, Object> items(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "shop/{category}/items/{id:int}")
          HttpRequestMessage<Optional<String>> request,
      @BindingName("category") String category,
      @BindingName("id") int id) {
    return Map.of("category", category, "id", id, "next", id + 1);
  }

  @FunctionName("files")
  public String files(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS, route = "files/{*path}")
          HttpRequestMessage<Optional<String>> request,
      @BindingName("path") String path) {
    return path;
  }

  /**
   * Overlaps {@code files/{*path}}, named after it (functions start in name order): the literal
   * route wins, as in Azure.
   */
  @FunctionName("listing")
  public String listing(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS, route = "files/index")
          HttpRequestMessage<Optional<String>> request) {
    return "index of " + request.getHeaders().get("X-Listing") + " " + request.getQueryParameters();
  }

  @FunctionName("catalogRead")
  public String catalogRead(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "catalog")
          HttpRequestMessage<Optional<String>> request) {
    return "read";
  }

  /** Shares its path with catalogRead, for another method. */
  @FunctionName("catalogWrite")
  public String catalogWrite(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "catalog")
          HttpRequestMessage<Optional<String>> request) {
    return "wrote " + request.getBody().orElse("");
  }

  @FunctionName("echo")
  public HttpResponseMessage echo(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    return request
        .createResponseBuilder(HttpStatus.OK)
        .header("x-length", String.valueOf(request.getBody().map(String::length).orElse(-1)))
        .body(request.getBody().orElse("(empty)"))
        .build();
  }

  @FunctionName("reverseBytes")
  public HttpResponseMessage reverseBytes(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              dataType = "binary",
              authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<byte[]>> request) {
    byte[] in = request.getBody().orElse(new byte[0]);
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) out[i] = in[in.length - 1 - i];
    return request
        .createResponseBuilder(HttpStatus.OK)
        .header("content-type", "application/octet-stream")
        .body(out)
        .build();
  }

  @FunctionName("add")
  public Sum add(
      @HttpTrigger(
              name = "point",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.ANONYMOUS)
          Point point) {
    return new Sum(point.x() + point.y());
  }

  @FunctionName("secure")
  public String secure(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.FUNCTION)
          HttpRequestMessage<Optional<String>> request) {
    return "secret";
  }

  @FunctionName("adminOnly")
  public String adminOnly(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ADMIN)
          HttpRequestMessage<Optional<String>> request) {
    return "admin";
  }

  @FunctionName("fail")
  public String fail(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    throw new IllegalStateException("database password is hunter2");
  }

  @FunctionName("validate")
  public String validate(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    String body = request.getBody().orElse("");
    if (body.split(",").length != 3)
      throw new IllegalArgumentException("expected 3 features, got " + body.split(",").length);
    return "ok";
  }

  @FunctionName("explicitBadRequest")
  public HttpResponseMessage explicitBadRequest(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    return request
        .createResponseBuilder(HttpStatus.BAD_REQUEST)
        .body(Map.of("error", "feature 'radius' is missing"))
        .build();
  }

  @FunctionName("nothing")
  public void nothing(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {}

  @FunctionName("flaky")
  @FixedDelayRetry(maxRetryCount = 3, delayInterval = "00:00:00.010")
  public String flaky(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    if (FLAKY_CALLS.incrementAndGet() <= 2) throw new IllegalStateException("transient failure");
    return "succeeded on retry " + context.getRetryContext().getRetrycount();
  }

  @FunctionName("alwaysFails")
  @FixedDelayRetry(maxRetryCount = 2, delayInterval = "00:00:00.001")
  public String alwaysFails(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    throw new IllegalStateException("permanent failure");
  }

  @FunctionName("counted")
  public String counted(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    return "counted";
  }

  @FunctionName("constrained")
  public String constrained(
      @HttpTrigger(
              name = "req",
              authLevel = AuthorizationLevel.FUNCTION,
              route = "typed/{n:int}/{flag:bool}/{word:alpha}/{id:guid}/{x:double}/{big:long}")
          HttpRequestMessage<Optional<String>> request,
      @BindingName("n") int n,
      @BindingName("flag") String flag,
      @BindingName("word") String word,
      @BindingName("id") String id,
      @BindingName("x") double x,
      @BindingName("big") long big) {
    return n + "|" + flag + "|" + word + "|" + id + "|" + x + "|" + big;
  }

  @FunctionName("optionalPage")
  public String optionalPage(
      @HttpTrigger(
              name = "req",
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "pages/{page:int?}")
          HttpRequestMessage<Optional<String>> request,
      @BindingName("page") Optional<Integer> page) {
    return page.map(p -> "page " + p).orElse("first page");
  }

  @FunctionName("textBody")
  public String textBody(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              dataType = "string",
              authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<byte[]>> request) {
    // dataType "string": the body was decoded with the request's charset, then handed over as UTF-8
    // bytes.
    return new String(
        request.getBody().orElse(new byte[0]), java.nio.charset.StandardCharsets.UTF_8);
  }

  @FunctionName("serverError")
  public HttpResponseMessage serverError(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    return request
        .createResponseBuilder(HttpStatus.SERVICE_UNAVAILABLE)
        .header("Content-Type", "application/problem+json")
        .body("{\"title\": \"model not loaded\"}")
        .build();
  }
}
