package dev.veil.fpga;

import io.vertx.core.json.JsonObject;

/**
 * One entry of the {@code "workers"} configuration: {@code count} local workers bound to a device
 * of the given kind, each running {@code capacity} batches at a time with {@code threads} intra-op
 * threads per session. {@code "fallback": "cpu"} lets a worker whose provider is missing run on CPU
 * (logged).
 */
public record WorkerSpec(
    DeviceKind device,
    int count,
    int capacity,
    boolean fallbackToCpu,
    ExecutionBackend.Options options) {

  public static WorkerSpec fromJson(JsonObject json) {
    DeviceKind device = DeviceKind.parse(json.getString("device", "cpu"));
    String fallback = json.getString("fallback", "none");
    if (!fallback.equals("none") && !fallback.equals("cpu")) {
      throw new IllegalArgumentException(
          "worker fallback must be \"cpu\" or \"none\", got '" + fallback + "'");
    }
    int count = json.getInteger("count", 1);
    int capacity = json.getInteger("capacity", 1);
    if (count < 0 || capacity < 1)
      throw new IllegalArgumentException("worker count must be >= 0 and capacity >= 1");
    return new WorkerSpec(
        device,
        count,
        capacity,
        fallback.equals("cpu"),
        new ExecutionBackend.Options(
            json.getInteger("cudaDevice", 0),
            json.getString("openVinoDevice", "FPGA"),
            json.getInteger("threads", 1)));
  }
}
