package dev.veil.fpga;

/** A configured execution backend whose ONNX Runtime execution provider is not present. */
public class BackendUnavailableException extends RuntimeException {
  public BackendUnavailableException(String message) {
    super(message);
  }
}
