package dev.veil.inference;

import dev.veil.fpga.PoolException;
import io.vertx.grpc.common.GrpcStatus;

/**
 * A request the server refuses, with the HTTP status of the REST API and the gRPC status it maps
 * to. The message names the problem and goes to the client as {@code {"error": "..."}} or the gRPC
 * status message.
 */
public final class InferenceError extends RuntimeException {
  private final int httpStatus;

  public InferenceError(int httpStatus, String message) {
    super(message, null, false, false);
    this.httpStatus = httpStatus;
  }

  public static InferenceError badRequest(String message) {
    return new InferenceError(400, message);
  }

  public static InferenceError notFound(String message) {
    return new InferenceError(404, message);
  }

  public int httpStatus() {
    return httpStatus;
  }

  /**
   * 400 → INVALID_ARGUMENT, 401 → UNAUTHENTICATED, 404 → NOT_FOUND, 429 → RESOURCE_EXHAUSTED, 503 →
   * UNAVAILABLE, 504 → DEADLINE_EXCEEDED.
   */
  public GrpcStatus grpcStatus() {
    return switch (httpStatus) {
      case 400, 413 -> GrpcStatus.INVALID_ARGUMENT;
      case 401 -> GrpcStatus.UNAUTHENTICATED;
      case 403 -> GrpcStatus.PERMISSION_DENIED;
      case 404 -> GrpcStatus.NOT_FOUND;
      case 429 -> GrpcStatus.RESOURCE_EXHAUSTED;
      case 503 -> GrpcStatus.UNAVAILABLE;
      case 504 -> GrpcStatus.DEADLINE_EXCEEDED;
      default -> GrpcStatus.INTERNAL;
    };
  }

  /**
   * A failure of a model call as the protocol reports it: the pool's statuses kept, anything else a
   * 500.
   */
  public static InferenceError from(Throwable failure) {
    if (failure instanceof InferenceError e) return e;
    if (failure instanceof PoolException e)
      return new InferenceError(e.httpStatus(), e.getMessage());
    if (failure instanceof IllegalArgumentException e) return badRequest(e.getMessage());
    return new InferenceError(500, "internal error");
  }
}
