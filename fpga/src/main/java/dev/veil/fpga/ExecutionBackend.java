package dev.veil.fpga;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a worker runs its sessions on its device: the ONNX Runtime execution provider chosen for the
 * requested device kind. CPU is always there; GPU needs the CUDA provider; FPGA needs an
 * FPGA-capable provider (OpenVINO, whose device string can name an FPGA plugin, or Vitis AI).
 * Availability comes from the installed ONNX Runtime itself ({@link
 * OrtEnvironment#getAvailableProviders()}). A missing provider fails with a message naming it, or
 * falls back to CPU with a warning when the configuration allows it.
 */
public record ExecutionBackend(
    DeviceKind requested, DeviceKind device, OrtProvider provider, Options options) {
  private static final Logger log = LoggerFactory.getLogger(ExecutionBackend.class);

  /**
   * Device-specific knobs: CUDA device ordinal, OpenVINO device string, CPU threads per session.
   */
  public record Options(int cudaDevice, String openVinoDevice, int intraOpThreads) {
    public static final Options DEFAULT = new Options(0, "FPGA", 1);
  }

  /** Providers that can serve each device kind, in order of preference. */
  static List<OrtProvider> candidates(DeviceKind kind) {
    return switch (kind) {
      case CPU -> List.of(OrtProvider.CPU);
      case GPU -> List.of(OrtProvider.CUDA);
      case FPGA -> List.of(OrtProvider.OPEN_VINO, OrtProvider.VITIS_AI);
    };
  }

  /**
   * Resolves against the providers of the ONNX Runtime on the classpath. A provider counts only if
   * it can be attached here: the CUDA build lists CUDA on every machine, but attaching it loads
   * CUDA's own libraries, which a machine without a GPU stack lacks.
   */
  public static ExecutionBackend resolve(
      DeviceKind requested, boolean fallbackToCpu, Options options) {
    return resolve(requested, fallbackToCpu, options, OrtEnvironment.getAvailableProviders());
  }

  static ExecutionBackend resolve(
      DeviceKind requested, boolean fallbackToCpu, Options options, Set<OrtProvider> available) {
    return resolve(requested, fallbackToCpu, options, available, ExecutionBackend::attachProblem);
  }

  /**
   * @param attachProblem why a candidate backend cannot attach its provider on this machine, or
   *     null if it can
   */
  static ExecutionBackend resolve(
      DeviceKind requested,
      boolean fallbackToCpu,
      Options options,
      Set<OrtProvider> available,
      Function<ExecutionBackend, String> attachProblem) {
    List<String> problems = new ArrayList<>();
    for (OrtProvider p : candidates(requested)) {
      if (!available.contains(p)) continue;
      ExecutionBackend candidate = new ExecutionBackend(requested, requested, p, options);
      String problem = attachProblem.apply(candidate);
      if (problem == null) return candidate;
      problems.add(problem);
    }
    String missing =
        problems.isEmpty()
            ? requested.configName()
                + " backend needs the ONNX Runtime execution provider "
                + String.join(
                    " or ", candidates(requested).stream().map(OrtProvider::getName).toList())
                + ", but this ONNX Runtime offers only "
                + available.stream().map(OrtProvider::getName).sorted().toList()
            : requested.configName() + " backend unavailable: " + String.join("; ", problems);
    if (!fallbackToCpu) {
      throw new BackendUnavailableException(
          missing
              + "; install an ONNX Runtime build with that provider, or configure \"fallback\": \"cpu\"");
    }
    log.warn("{}; falling back to CPU as configured", missing);
    return new ExecutionBackend(requested, DeviceKind.CPU, OrtProvider.CPU, options);
  }

  private static String attachProblem(ExecutionBackend candidate) {
    OrtEnvironment.getEnvironment(); // providers log through the environment's logger
    try {
      candidate.sessionOptions().close();
      return null;
    } catch (BackendUnavailableException e) {
      return e.getMessage();
    }
  }

  /** Whether this backend runs on a different device than was asked for. */
  public boolean fellBack() {
    return device != requested;
  }

  /** Session options with this backend's provider attached; the caller closes them. */
  public OrtSession.SessionOptions sessionOptions() {
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    try {
      so.setIntraOpNumThreads(options.intraOpThreads());
      so.setInterOpNumThreads(1);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      switch (provider) {
        case CPU -> {}
        case CUDA -> so.addCUDA(options.cudaDevice());
        case OPEN_VINO -> so.addOpenVINO(options.openVinoDevice());
        // The Java API of ONNX Runtime 1.23 has no call that attaches the Vitis AI provider.
        case VITIS_AI ->
            throw new BackendUnavailableException(
                "the ONNX Runtime here offers "
                    + OrtProvider.VITIS_AI.getName()
                    + ", but its Java API cannot attach it; use the OpenVINO provider");
        default -> throw new IllegalStateException("unsupported provider " + provider);
      }
      return so;
    } catch (OrtException e) {
      so.close();
      throw new BackendUnavailableException(
          "could not attach "
              + provider.getName()
              + " for the "
              + requested.configName()
              + " backend: "
              + e.getMessage());
    } catch (RuntimeException e) {
      so.close();
      throw e;
    }
  }

  @Override
  public String toString() {
    return device.configName()
        + " via "
        + provider.getName()
        + (fellBack() ? " (fallback for " + requested.configName() + ")" : "");
  }
}
