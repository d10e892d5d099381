package dev.veil.he;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;

/**
 * Owner of one native object. {@link #close()} frees it at once; the Cleaner frees it when the Java
 * object becomes unreachable without having been closed. Closing is idempotent; using a closed
 * object throws.
 */
abstract class NativeObject implements AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();

  // Kinds of native objects; Native.release(kind, handle) deletes with the matching C++ type.
  static final int CONTEXT = 1;
  static final int CIPHERTEXT = 2;
  static final int PLAINTEXT = 3;
  static final int PUBLIC_KEY = 4;
  static final int SECRET_KEY = 5;
  static final int RELIN_KEYS = 6;
  static final int GALOIS_KEYS = 7;
  static final int ENCODER = 8;
  static final int EVALUATOR = 9;
  static final int KEY_GENERATOR = 10;
  static final int ENCRYPTOR = 11;
  static final int DECRYPTOR = 12;

  /** Holds the handle apart from the owner so the Cleaner does not keep the owner reachable. */
  private static final class Release implements Runnable {
    private final int kind;
    private volatile long handle;

    Release(int kind, long handle) {
      this.kind = kind;
      this.handle = handle;
    }

    @Override
    public void run() {
      long h = handle;
      handle = 0;
      if (h != 0) {
        Native.release(kind, h);
      }
    }
  }

  private final Release release;
  private final Cleaner.Cleanable cleanable;

  NativeObject(int kind, long handle) {
    if (handle == 0) {
      throw new HeException("he-native: native call returned no object");
    }
    this.release = new Release(kind, handle);
    this.cleanable = CLEANER.register(this, release);
  }

  /** The native pointer; throws when this object was closed. */
  final long handle() {
    long h = release.handle;
    if (h == 0) {
      throw new IllegalStateException(getClass().getSimpleName() + " has been closed");
    }
    return h;
  }

  /**
   * Keeps owners reachable until a native call that received their handles has returned; without it
   * the JIT may consider them dead during the call and the Cleaner could free memory still in use.
   */
  static void keepAlive(Object a, Object b, Object c) {
    Reference.reachabilityFence(a);
    Reference.reachabilityFence(b);
    Reference.reachabilityFence(c);
  }

  @Override
  public final void close() {
    cleanable.clean();
  }
}
