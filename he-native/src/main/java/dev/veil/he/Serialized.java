package dev.veil.he;

/** The load/save/inspect calls every serializable object shares, keyed by its native kind. */
final class Serialized {
  private Serialized() {}

  static long load(int kind, CkksContext context, byte[] serialized) {
    if (serialized == null) {
      throw new HeException("serialized bytes are missing (null)");
    }
    try {
      return Native.load(kind, context.handle(), serialized);
    } finally {
      NativeObject.keepAlive(context, null, null);
    }
  }

  static byte[] save(int kind, NativeObject object, Compression compression) {
    try {
      return Native.save(kind, object.handle(), compression.code);
    } finally {
      NativeObject.keepAlive(object, null, null);
    }
  }

  static ParmsId parmsId(int kind, NativeObject object) {
    try {
      return ParmsId.of(Native.parmsId(kind, object.handle()));
    } finally {
      NativeObject.keepAlive(object, null, null);
    }
  }

  static double scale(int kind, NativeObject object) {
    try {
      return Native.scale(kind, object.handle());
    } finally {
      NativeObject.keepAlive(object, null, null);
    }
  }
}
