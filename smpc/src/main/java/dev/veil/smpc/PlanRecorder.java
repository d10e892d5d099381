package dev.veil.smpc;

import java.util.ArrayList;
import java.util.List;

/**
 * Serves zero-filled material and records the plan; run a computation on it with a {@link Channel}
 * of zeros.
 */
public final class PlanRecorder implements Randomness {
  private final List<Plan.Item> items = new ArrayList<>();

  @Override
  public Triple triple(int n) {
    items.add(new Plan.Item(Plan.Kind.TRIPLE, n, 0, 0));
    return new Triple(new long[n], new long[n], new long[n]);
  }

  @Override
  public Triple matrixTriple(int n, int k, int m) {
    items.add(new Plan.Item(Plan.Kind.MATRIX_TRIPLE, n, k, m));
    return new Triple(new long[n * k], new long[k * m], new long[n * m]);
  }

  @Override
  public Comparison comparison(int n) {
    items.add(new Plan.Item(Plan.Kind.COMPARISON, n, 0, 0));
    return new Comparison(
        new long[n], new long[n], new long[n], new long[n], Dcf.CorrectionWords.allocate(n));
  }

  @Override
  public Triple maskedTriple(int n, int k, int m, int layer) {
    items.add(new Plan.Item(Plan.Kind.MASKED_TRIPLE, n, k, m, layer));
    return new Triple(new long[n * k], null, new long[n * m]);
  }

  public Plan plan() {
    return new Plan(items);
  }

  /** A channel for recording: the peer "sends" zeros. */
  public static Channel silentPeer() {
    return mine -> new long[mine.length];
  }
}
