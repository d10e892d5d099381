package dev.veil.functions.smpc;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.ModelResources;
import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.smpc.Mlp;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The plaintext models a model owner shares with {@code veil smpc share-model}:
 *
 * <ul>
 *   <li>{@code mnist-mlp}: the 784→128→10 ReLU MLP ({@code functions/training/mnist/train_mlp.py}),
 *       pixels in [0, 1];
 *   <li>{@code breast-cancer}: the 30→16→2 MLP with its cubic activation, on standardized features
 *       (the scaler is public preprocessing the client applies, as for the encrypted function);
 *   <li>{@code linear-1x1}: the seed's {@code torch.nn.Linear(1, 1)};
 *   <li>or a {@code veil-relu-mlp/1} JSON file.
 * </ul>
 */
public final class SmpcModels {
  public static final String MNIST_RESOURCE = "/models/mnist-mlp.json";

  private SmpcModels() {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record ModelFile(String format, String name, List<LayerFile> layers) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record LayerFile(
      double[][] weights, double[] bias, String activation, double[] coefficients) {}

  private static final class Mnist {
    static final Mlp MODEL =
        ModelResources.load(SmpcModels.class, MNIST_RESOURCE, SmpcModels::read);
  }

  /** The bundled MNIST MLP, loaded once. */
  public static Mlp mnist() {
    return Mnist.MODEL;
  }

  /** The breast-cancer MLP on standardized features. */
  public static Mlp breastCancer() {
    BreastCancerModel m = BreastCancerModel.bundled();
    return new Mlp(
        "breast-cancer",
        List.of(
            new Mlp.Layer(
                m.hiddenWeights(),
                m.hiddenBias(),
                Mlp.Activation.polynomial(m.activationCoefficients())),
            new Mlp.Layer(m.outputWeights(), m.outputBias(), Mlp.Activation.NONE)));
  }

  /**
   * The 784→10 logistic model that the CKKS function {@code encrypted-mnist} serves, as a one-layer
   * model: the like-for-like comparison of secret sharing with homomorphic encryption (the argmax
   * of the scores is the class).
   */
  public static Mlp mnistLogistic() {
    dev.veil.functions.mnist.MnistLinearModel m =
        dev.veil.functions.mnist.MnistLinearModel.bundled();
    return new Mlp(
        "mnist-logistic", List.of(new Mlp.Layer(m.weights(), m.bias(), Mlp.Activation.NONE)));
  }

  /** The seed's Linear(1, 1), with fixed weights (the seed's was untrained). */
  public static Mlp linear() {
    return new Mlp(
        "linear-1x1",
        List.of(new Mlp.Layer(new double[][] {{0.5}}, new double[] {0.25}, Mlp.Activation.NONE)));
  }

  /** A bundled model by name, or a model file. */
  public static Mlp named(String nameOrFile) throws IOException {
    return switch (nameOrFile) {
      case "mnist-mlp" -> mnist();
      case "breast-cancer" -> breastCancer();
      case "linear-1x1" -> linear();
      case "mnist-logistic" -> mnistLogistic();
      default -> {
        Path file = Path.of(nameOrFile);
        if (!Files.isRegularFile(file)) {
          throw new IllegalArgumentException(
              "no model '"
                  + nameOrFile
                  + "': name mnist-mlp, mnist-logistic, breast-cancer, linear-1x1 or a veil-relu-mlp/1 JSON file");
        }
        try (InputStream in = Files.newInputStream(file)) {
          yield read(in);
        }
      }
    };
  }

  /** Standardizes raw breast-cancer features with the model's public scaler. */
  public static double[] standardize(double[] raw) {
    BreastCancerModel m = BreastCancerModel.bundled();
    double[] mean = m.scalerMean(), std = m.scalerStd();
    if (raw.length != mean.length) {
      throw new IllegalArgumentException(
          "a breast-cancer row has " + mean.length + " features, got " + raw.length);
    }
    double[] z = new double[raw.length];
    for (int i = 0; i < z.length; i++) {
      z[i] = (raw[i] - mean[i]) / std[i];
    }
    return z;
  }

  static Mlp read(InputStream in) throws IOException {
    ModelFile file = new ObjectMapper().readValue(in, ModelFile.class);
    if (!"veil-relu-mlp/1".equals(file.format())
        || file.layers() == null
        || file.layers().isEmpty()) {
      throw new IOException("expected a veil-relu-mlp/1 model file with layers");
    }
    List<Mlp.Layer> layers = new ArrayList<>();
    for (LayerFile l : file.layers()) {
      try {
        layers.add(
            new Mlp.Layer(
                l.weights(),
                l.bias(),
                Mlp.Activation.of(
                    l.activation(), l.coefficients() == null ? new double[0] : l.coefficients())));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IOException("malformed layer: " + e.getMessage());
      }
    }
    return new Mlp(file.name() == null ? "model" : file.name(), layers);
  }
}
