package dev.veil.smpc;

import java.util.List;

/**
 * A plaintext multi-layer perceptron: each layer computes act(W·x + b). The model owner's form
 * before sharing, and the reference a shared evaluation must reproduce.
 */
public record Mlp(String name, List<Layer> layers) {

  /**
   * What follows a layer's affine map. Polynomial coefficients are constant term first; they are
   * public.
   */
  public record Activation(String kind, double[] coefficients) {
    public static final Activation NONE = new Activation("none", new double[0]);
    public static final Activation RELU = new Activation("relu", new double[0]);

    public static Activation polynomial(double... coefficients) {
      if (coefficients.length < 2 || coefficients.length > 8) {
        throw new IllegalArgumentException("an activation polynomial has degree 1 to 7");
      }
      return new Activation("polynomial", coefficients.clone());
    }

    public static Activation of(String kind, double[] coefficients) {
      return switch (kind) {
        case "none" -> NONE;
        case "relu" -> RELU;
        case "polynomial" -> polynomial(coefficients);
        default -> throw new IllegalArgumentException("unknown activation '" + kind + "'");
      };
    }

    public double apply(double t) {
      return switch (kind) {
        case "none" -> t;
        case "relu" -> Math.max(t, 0);
        default -> {
          double r = 0;
          for (int i = coefficients.length - 1; i >= 0; i--) {
            r = r * t + coefficients[i];
          }
          yield r;
        }
      };
    }
  }

  /** W is out×in. */
  public record Layer(double[][] weights, double[] bias, Activation activation) {
    public Layer {
      if (weights.length == 0 || weights.length != bias.length) {
        throw new IllegalArgumentException("a layer needs as many bias values as weight rows");
      }
      for (double[] row : weights) {
        if (row.length != weights[0].length) {
          throw new IllegalArgumentException("weight rows have different lengths");
        }
      }
    }

    public int inputs() {
      return weights[0].length;
    }

    public int outputs() {
      return bias.length;
    }
  }

  public Mlp {
    layers = List.copyOf(layers);
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i).inputs() != layers.get(i - 1).outputs()) {
        throw new IllegalArgumentException(
            "layer "
                + i
                + " takes "
                + layers.get(i).inputs()
                + " inputs but layer "
                + (i - 1)
                + " gives "
                + layers.get(i - 1).outputs());
      }
    }
  }

  public int inputs() {
    return layers.get(0).inputs();
  }

  public int outputs() {
    return layers.get(layers.size() - 1).outputs();
  }

  public double[] scores(double[] x) {
    double[] h = x;
    for (Layer layer : layers) {
      double[] next = new double[layer.outputs()];
      for (int o = 0; o < next.length; o++) {
        double s = layer.bias()[o];
        for (int i = 0; i < h.length; i++) {
          s += layer.weights()[o][i] * h[i];
        }
        next[o] = layer.activation().apply(s);
      }
      h = next;
    }
    return h;
  }

  /** Index of the largest score, the first on ties. */
  public static int argmax(double[] scores) {
    int best = 0;
    for (int k = 1; k < scores.length; k++) {
      if (scores[k] > scores[best]) {
        best = k;
      }
    }
    return best;
  }
}
