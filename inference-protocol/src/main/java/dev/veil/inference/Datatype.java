package dev.veil.inference;

import java.util.Locale;

/**
 * The protocol's tensor element types; {@link #size} is the bytes of one element in binary form
 * (BYTES: -1, variable).
 */
public enum Datatype {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  FP32(4),
  FP64(8),
  BYTES(-1);

  public final int size;

  Datatype(int size) {
    this.size = size;
  }

  /** The datatype spelled {@code name}; a 400 naming the valid ones otherwise. */
  public static Datatype of(String name, String what) {
    if (name == null) throw InferenceError.badRequest(what + " has no datatype");
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw InferenceError.badRequest(
          what
              + " has datatype '"
              + name
              + "', which the protocol does not define"
              + " (BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES)");
    }
  }

  public boolean floating() {
    return this == FP16 || this == FP32 || this == FP64;
  }

  public boolean unsigned() {
    return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
  }
}
