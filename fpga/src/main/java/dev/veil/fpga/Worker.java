package dev.veil.fpga;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * A worker bound to one device, local or remote: it runs whole batches of one model at a time, up
 * to {@link #capacity()} batches concurrently. The pool treats local and remote workers alike.
 */
public interface Worker {
  String id();

  /** The accelerator class this worker serves (what models ask for); see {@link #device()}. */
  DeviceKind serves();

  /**
   * The device it actually runs on: differs from {@link #serves()} only after a configured CPU
   * fallback.
   */
  DeviceKind device();

  /** Batches it runs at the same time. */
  int capacity();

  /** Models it has loaded, with the number of floats in one input sample of each. */
  Map<String, Integer> models();

  /** Runs one batch; fails with {@link WorkerFailedException} when the worker itself failed. */
  Future<List<float[]>> run(String model, List<float[]> samples);

  /** Health check: succeeds while the worker can take batches. */
  Future<Void> ping();

  /**
   * The pool took this worker out of rotation: batches still waiting on it should fail now (with
   * {@link WorkerFailedException}) so that they are retried elsewhere, not when a timeout runs out.
   */
  default void drained(Throwable cause) {}
}
