package dev.veil.inference;

import dev.veil.runtime.spi.HostScope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The models served over the protocol, and the checks every request passes before a model sees it.
 */
public final class ModelRepository {
  private final Map<String, ServedModel> models = new LinkedHashMap<>();

  public ModelRepository(Collection<? extends InferenceModel> models) {
    this(models, Map.of());
  }

  /**
   * @param configs the model repository's configs by model name: each must name a served model; a
   *     pool model's config is mapped onto its accelerator pool (before the pool starts)
   */
  ModelRepository(Collection<? extends InferenceModel> models, Map<String, ModelConfig> configs) {
    for (InferenceModel m : models) {
      ModelConfig config = configs.get(m.name());
      if (config != null) {
        if (m instanceof ImageModel image) image.configurePool(config);
        else if (config.setsPool()) {
          throw new IllegalArgumentException(
              config.file()
                  + ": fields 'dynamic_batching' and 'instance_group' set the accelerator pool, and"
                  + " model '"
                  + m.name()
                  + "' does not run on it (only max_batch_size applies)");
        }
      }
      if (this.models.putIfAbsent(m.name(), new ServedModel(m, config)) != null)
        throw new IllegalStateException("two models are named '" + m.name() + "'");
    }
    for (ModelConfig config : configs.values()) {
      if (!this.models.containsKey(config.model())) {
        throw new IllegalArgumentException(
            config.file()
                + ": the directory names model '"
                + config.model()
                + "', which Veil does not serve; it serves "
                + String.join(", ", this.models.keySet()));
      }
    }
  }

  /**
   * Every model Veil serves: the accelerator pool's image models, the plaintext function models,
   * the encrypted functions (an extension: SEAL ciphertexts as BYTES), and any listed in {@code
   * META-INF/services/dev.veil.inference.InferenceModel} on the class path (blocking: reads the
   * bundled weights). The pool and the encrypted functions' key cache are the host's own, shared
   * with its functions through {@code scope}.
   */
  public static ModelRepository discover(HostScope scope, Map<String, ModelConfig> configs) {
    List<InferenceModel> all =
        new ArrayList<>(
            List.of(
                ImageModel.digits(scope),
                ImageModel.resnet50(scope),
                TabularModel.breastCancer(),
                TabularModel.mnistLinear(),
                EncryptedModel.mnist(scope),
                EncryptedModel.breastCancer(scope)));
    ServiceLoader.load(InferenceModel.class).forEach(all::add);
    return new ModelRepository(all, configs);
  }

  public Collection<ServedModel> models() {
    return models.values();
  }

  /**
   * The model of that name and version ({@code null} or empty: any); 404 naming what is served
   * otherwise.
   */
  public ServedModel find(String name, String version) {
    ServedModel model = models.get(name);
    if (model == null) {
      throw InferenceError.notFound(
          "unknown model '" + name + "'; this server serves " + String.join(", ", models.keySet()));
    }
    if (version != null && !version.isEmpty() && !version.equals(model.version())) {
      throw InferenceError.notFound(
          "model '"
              + name
              + "' has no version '"
              + version
              + "'; it serves version "
              + model.version());
    }
    return model;
  }

  /** Checks the request against the model's metadata, runs it and selects the outputs asked for. */
  public Future<InferRequest.Result> infer(Vertx vertx, InferRequest request) {
    InferenceModel model;
    Map<String, Tensor> inputs;
    List<String> wanted;
    int batch;
    try {
      model = find(request.model(), request.version());
      inputs = new HashMap<>();
      for (Tensor t : request.inputs()) {
        if (inputs.put(t.name(), t) != null)
          throw InferenceError.badRequest("input '" + t.name() + "' is given twice");
      }
      batch = checkInputs(model, inputs);
      wanted = wantedOutputs(model, request.outputs());
    } catch (InferenceError e) {
      return Future.failedFuture(e);
    }
    Future<List<Tensor>> run;
    try {
      run = model.infer(vertx, inputs, batch);
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    return run.transform(
        ar -> {
          if (ar.failed()) return Future.failedFuture(InferenceError.from(ar.cause()));
          Map<String, Tensor> byName = new HashMap<>();
          ar.result().forEach(t -> byName.put(t.name(), t));
          List<Tensor> selected = new ArrayList<>();
          for (String name : wanted) selected.add(byName.get(name));
          return Future.succeededFuture(new InferRequest.Result(model, request.id(), selected));
        });
  }

  /** The batch size the inputs agree on (1 for models without a batch dimension). */
  private static int checkInputs(InferenceModel model, Map<String, Tensor> inputs) {
    Set<String> declared = new HashSet<>();
    Integer batch = null;
    for (TensorSpec spec : model.inputs()) {
      declared.add(spec.name());
      Tensor t = inputs.get(spec.name());
      String what = "input '" + spec.name() + "' of model '" + model.name() + "'";
      if (t == null) throw InferenceError.badRequest(what + " is missing");
      if (t.datatype() != spec.datatype()) {
        throw InferenceError.badRequest(
            what + " has datatype " + spec.datatype() + "; the request gives " + t.datatype());
      }
      long[] shape = t.shape();
      boolean fits = shape.length == spec.shape().length;
      for (int i = 0; fits && i < shape.length; i++)
        fits = spec.shape()[i] == -1 || spec.shape()[i] == shape[i];
      if (!fits) {
        throw InferenceError.badRequest(
            what
                + " has shape "
                + Arrays.toString(spec.shape())
                + " (-1: any size); the request gives "
                + Arrays.toString(shape));
      }
      if (spec.shape().length > 0 && spec.shape()[0] == -1) {
        long b = shape[0];
        if (b < 1 || b > model.maxBatchSize()) {
          throw InferenceError.badRequest(
              what
                  + ": the batch (first dimension) is "
                  + b
                  + "; the model takes 1 to "
                  + model.maxBatchSize());
        }
        if (batch != null && batch != b)
          throw InferenceError.badRequest("the inputs disagree on the batch size");
        batch = (int) b;
      }
    }
    for (String name : inputs.keySet()) {
      if (!declared.contains(name)) {
        throw InferenceError.badRequest(
            "model '"
                + model.name()
                + "' has no input '"
                + name
                + "'; its inputs are "
                + model.inputs().stream().map(TensorSpec::name).toList());
      }
    }
    return batch == null ? 1 : batch;
  }

  private static List<String> wantedOutputs(
      InferenceModel model, List<InferRequest.RequestedOutput> requested) {
    List<String> names = model.outputs().stream().map(TensorSpec::name).toList();
    if (requested == null || requested.isEmpty()) return names;
    List<String> wanted = new ArrayList<>();
    for (InferRequest.RequestedOutput o : requested) {
      if (!names.contains(o.name())) {
        throw InferenceError.badRequest(
            "model '"
                + model.name()
                + "' has no output '"
                + o.name()
                + "'; its outputs are "
                + names);
      }
      if (wanted.contains(o.name()))
        throw InferenceError.badRequest("output '" + o.name() + "' is asked for twice");
      wanted.add(o.name());
    }
    return wanted;
  }
}
