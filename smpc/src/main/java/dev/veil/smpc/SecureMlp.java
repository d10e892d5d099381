package dev.veil.smpc;

/**
 * Inference of a {@link SharedMlp} on a shared batch of inputs, and the seed's accuracy count, run
 * by both parties in step. Per layer: one masked-triple round for X·W^T (only the inputs' side is
 * opened), local truncation, bias added locally, then the activation (ReLU: 2 rounds; a polynomial
 * of degree d: d − 1 rounds; none: 0). The optional argmax adds 1 + ⌈log2 (classes − 1)⌉ rounds.
 * For the 784→128→10 ReLU MLP with argmax that is 1 + 2 + 1 + 5 = 9 rounds.
 */
public final class SecureMlp {
  private SecureMlp() {}

  /** Shares of the scores (rows×classes) and, when asked, of the argmax of each row (integers). */
  public record Output(long[] scores, long[] argmax) {}

  /**
   * Evaluates the model on {@code rows} inputs (row-major rows×inputs shares of fixed-point
   * values).
   *
   * @throws IllegalArgumentException when the input share has the wrong size
   */
  public static Output infer(Party party, SharedMlp model, long[] input, int rows, boolean argmax) {
    if (rows < 1 || input.length != rows * model.inputs()) {
      throw new IllegalArgumentException(
          "input share has "
              + input.length
              + " values; "
              + rows
              + " rows of "
              + model.inputs()
              + " features need "
              + (long) rows * model.inputs());
    }
    long[] h = input;
    for (int l = 0; l < model.layers().size(); l++) {
      SharedMlp.Layer layer = model.layers().get(l);
      long[] z =
          party.truncate(
              party.multiplyMasked(
                  h,
                  rows,
                  layer.inputs(),
                  layer.outputs(),
                  l,
                  layer.masked(),
                  layer.weightShare()));
      for (int r = 0; r < rows; r++) {
        for (int o = 0; o < layer.outputs(); o++) {
          z[r * layer.outputs() + o] += layer.bias()[o];
        }
      }
      h = activate(party, layer.activation(), z);
    }
    long[] best = argmax ? party.argmax(h, rows, model.outputs()).index() : null;
    return new Output(h, best);
  }

  private static long[] activate(Party party, Mlp.Activation activation, long[] z) {
    switch (activation.kind()) {
      case "none":
        return z;
      case "relu":
        return party.relu(z);
      default:
        double[] c = activation.coefficients();
        long[] sum = new long[z.length];
        java.util.Arrays.fill(sum, party.id() == 0 ? party.fixedPoint().encode(c[0]) : 0);
        long[] power = z;
        for (int d = 1; d < c.length; d++) {
          if (d > 1) {
            power = party.truncate(party.multiply(power, z));
          }
          if (c[d] != 0) {
            sum = Ring.add(sum, party.scale(power, c[d]));
          }
        }
        return sum;
    }
  }

  /**
   * The seed's accuracy under sharing: how many predicted labels equal the true labels, both shared
   * integers, compared and summed on shares; only the count is opened (2 rounds + 1 for the
   * opening).
   */
  public static long correctCount(Party party, long[] predicted, long[] labels) {
    long[] equal = party.equal(predicted, labels);
    long sum = 0;
    for (long e : equal) {
      sum += e;
    }
    return party.open(new long[] {sum})[0];
  }
}
