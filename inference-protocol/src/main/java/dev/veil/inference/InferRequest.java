package dev.veil.inference;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One inference request, whatever the transport. {@code version} may be {@code null} (the server's
 * choice); {@code outputs} empty asks for every output.
 */
public record InferRequest(
    String model,
    String version,
    String id,
    JsonObject parameters,
    List<Tensor> inputs,
    List<RequestedOutput> outputs) {

  public record RequestedOutput(String name, JsonObject parameters) {}

  /** The answer: the model that ran and the outputs asked for, in the order asked. */
  public record Result(InferenceModel model, String id, List<Tensor> outputs) {}
}
