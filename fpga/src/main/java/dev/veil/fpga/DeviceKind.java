package dev.veil.fpga;

import java.util.Locale;

/** The kind of device a worker is bound to; also what a model asks for as its accelerator. */
public enum DeviceKind {
  CPU,
  GPU,
  FPGA;

  /** Parses the configuration spelling ({@code cpu}, {@code gpu}, {@code fpga}). */
  public static DeviceKind parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "unknown device kind '" + text + "' (expected cpu, gpu or fpga)");
    }
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
