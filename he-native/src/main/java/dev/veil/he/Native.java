package dev.veil.he;

/**
 * The JNI surface of libveilhe.so (implemented in src/main/cpp/jni/). Handles are C++ pointers
 * owned by {@link NativeObject}s; every method throws {@link HeException} with the engine's message
 * on failure.
 */
final class Native {
  private Native() {}

  static native void release(int kind, long handle);

  // Encryption parameters and contexts.
  static native long[] parametersLoad(byte[] bytes, long maxBytes);

  static native byte[] parametersSave(int degree, long[] primes, int compression);

  static native long[] parametersParmsId(int degree, long[] primes);

  static native long[] createPrimes(int degree, int[] bitSizes);

  static native long contextCreate(int degree, long[] primes, long maxLoadBytes);

  /**
   * Four words per level: the key level first, then the data levels from the top one down to the
   * last.
   */
  static native long[] contextChain(long context);

  // Serialized objects; kind is one of NativeObject's kinds.
  static native long load(int kind, long context, byte[] bytes);

  static native byte[] save(int kind, long handle, int compression);

  static native long[] parmsId(int kind, long handle);

  static native double scale(int kind, long handle);

  static native int ciphertextSize(long ciphertext);

  /**
   * Reads bytes[offset, offset + length) in place (base64 text when asked), without a copy in Java.
   */
  static native long loadCiphertext(
      long context, byte[] bytes, int offset, int length, boolean base64);

  /**
   * A new array: {@code before} zero bytes, the saved ciphertext (base64 text when asked), {@code
   * after} zero bytes.
   */
  static native byte[] saveCiphertext(
      long ciphertext, int compression, boolean base64, int before, int after);

  static native long[] galoisElements(long galoisKeys);

  // Encoding.
  static native long encoderCreate(long context);

  static native long encode(long encoder, double[] values, double scale, long[] parmsId);

  static native long encodeScalar(long encoder, double value, double scale, long[] parmsId);

  static native double[] decode(long encoder, long plaintext);

  // Evaluation; each returns a new ciphertext (or plaintext) handle.
  static native long evaluatorCreate(long context);

  static native long negate(long evaluator, long a);

  static native long add(long evaluator, long a, long b);

  static native long sub(long evaluator, long a, long b);

  static native long addPlain(long evaluator, long a, long plain);

  static native long subPlain(long evaluator, long a, long plain);

  static native long multiplyPlain(long evaluator, long a, long plain);

  static native long multiply(long evaluator, long a, long b);

  static native long square(long evaluator, long a);

  static native long relinearize(long evaluator, long a, long relinKeys);

  static native long rescaleToNext(long evaluator, long a);

  static native long modSwitchTo(long evaluator, long a, long[] parmsId);

  static native long modSwitchPlainTo(long evaluator, long plain, long[] parmsId);

  static native long rotate(long evaluator, long a, int steps, long galoisKeys);

  static native long conjugate(long evaluator, long a, long galoisKeys);

  static native long[] rotateHoisted(long evaluator, long a, int[] steps, long galoisKeys);

  // Client side.
  static native long keyGeneratorCreate(long context, long secretKeyOrZero);

  static native long secretKey(long keyGenerator);

  static native long createPublicKey(long keyGenerator);

  static native long createRelinKeys(long keyGenerator);

  static native long createGaloisKeys(long keyGenerator, int[] steps);

  /** what: PUBLIC_KEY, RELIN_KEYS or GALOIS_KEYS; saved in SEAL's seeded form. */
  static native byte[] createSeededKeys(
      long context, long keyGenerator, int what, int[] steps, int compression);

  static native long encryptorCreate(long context, long publicKeyOrZero, long secretKeyOrZero);

  static native long encrypt(long encryptor, long plain);

  static native long encryptSymmetric(long encryptor, long plain);

  static native byte[] encryptSymmetricSeeded(
      long context, long encryptor, long plain, int compression);

  static native long decryptorCreate(long context, long secretKey);

  static native long decrypt(long decryptor, long ciphertext);
}
