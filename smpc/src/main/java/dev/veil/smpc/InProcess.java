package dev.veil.smpc;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs a two-party computation inside one process: records its plan, has a {@link Dealer} deal it,
 * then runs party 0 on the calling thread and party 1 on a second thread, linked by a {@link
 * LocalChannel}. For tests, benchmarks and the in-process accuracy checks; the Veil functions run
 * the same {@link Party} code on separate hosts.
 */
public final class InProcess {
  private InProcess() {}

  /** One party's part; it picks its own inputs by {@link Party#id()}. */
  public interface Computation<T> {
    T run(Party party);
  }

  /** What both parties returned, and party 0's traffic. */
  public record Result<T>(
      T party0,
      T party1,
      Plan plan,
      long rounds,
      long bytesPerParty,
      int materialBytes0,
      int materialBytes1) {}

  /** The plan of {@code computation}, found by running it on zeros. */
  public static Plan plan(Computation<?> computation, FixedPoint fp) {
    PlanRecorder recorder = new PlanRecorder();
    computation.run(new Party(0, PlanRecorder.silentPeer(), recorder, fp));
    return recorder.plan();
  }

  public static <T> Result<T> run(Computation<T> computation, FixedPoint fp) {
    return run(computation, fp, new Dealer());
  }

  /**
   * Runs with material from {@code dealer} (one that knows the model's weight masks, for shared
   * models).
   */
  public static <T> Result<T> run(Computation<T> computation, FixedPoint fp, Dealer dealer) {
    Plan plan = plan(computation, fp);
    return run(computation, fp, plan, dealer.deal(plan));
  }

  /** Runs with material dealt beforehand (so that a benchmark can time the online phase alone). */
  public static <T> Result<T> run(
      Computation<T> computation, FixedPoint fp, Plan plan, Dealer.Dealt dealt) {
    Channel[] link = LocalChannel.pair(Duration.ofSeconds(30));
    Material m0 = new Material(0, dealt.party0());
    Material m1 = new Material(1, dealt.party1());
    Party p0 = new Party(0, link[0], m0, fp);
    Party p1 = new Party(1, link[1], m1, fp);
    CompletableFuture<T> other =
        CompletableFuture.supplyAsync(
            () -> computation.run(p1),
            runnable -> {
              Thread t = new Thread(runnable, "smpc-party-1");
              t.setDaemon(true);
              t.start();
            });
    T r0 = computation.run(p0);
    T r1;
    try {
      r1 = other.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re
          ? re
          : new IllegalStateException(e.getCause());
    }
    if (!m0.usedUp() || !m1.usedUp()) {
      throw new IllegalStateException(
          "the computation left dealt material unused: its plan was " + plan);
    }
    return new Result<>(
        r0, r1, plan, p0.rounds(), p0.bytesSent(), dealt.party0().length, dealt.party1().length);
  }

  /** Both parties' values added: what only the client (or, for a count, everyone) may see. */
  public static long[] reveal(List<long[]> shares) {
    return Shares.reconstruct(shares.get(0), shares.get(1));
  }
}
