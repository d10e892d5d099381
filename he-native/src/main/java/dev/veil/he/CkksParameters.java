package dev.veil.he;

import java.util.Arrays;

/**
 * CKKS encryption parameters: the polynomial modulus degree N and the coefficient modulus primes,
 * the last one being the special prime used only by key switching. An immutable value; SEAL's
 * checks (power-of-two degree, NTT-friendly distinct primes, ...) run when a {@link CkksContext} is
 * created from it.
 */
public final class CkksParameters {
  /**
   * Upper bound on the bytes {@link #load(byte[])} accepts, far above any real parameter object.
   */
  public static final long MAX_SERIALIZED_BYTES = 1 << 16;

  private final int polyModulusDegree;
  private final long[] coeffModulus;

  private CkksParameters(int polyModulusDegree, long[] coeffModulus) {
    if (polyModulusDegree <= 0) {
      throw new HeException("poly modulus degree must be positive, got " + polyModulusDegree);
    }
    if (coeffModulus.length == 0) {
      throw new HeException("coeff modulus must have at least one prime");
    }
    this.polyModulusDegree = polyModulusDegree;
    this.coeffModulus = coeffModulus;
  }

  /** Parameters with explicitly chosen primes (e.g. those a client's SEAL context uses). */
  public static CkksParameters of(int polyModulusDegree, long... coeffModulus) {
    return new CkksParameters(polyModulusDegree, coeffModulus.clone());
  }

  /**
   * Parameters whose primes are chosen as SEAL's {@code CoeffModulus::Create} chooses them: for
   * each bit size, the largest unused primes below 2^bits that are 1 mod 2N, so SEAL clients get
   * identical primes.
   */
  public static CkksParameters withBitSizes(int polyModulusDegree, int... bitSizes) {
    NativeLoader.ensureLoaded();
    return new CkksParameters(
        polyModulusDegree, Native.createPrimes(polyModulusDegree, bitSizes.clone()));
  }

  /** Reads SEAL-serialized EncryptionParameters; fails unless the scheme is CKKS. */
  public static CkksParameters load(byte[] serialized) {
    NativeLoader.ensureLoaded();
    long[] degreeAndPrimes = Native.parametersLoad(serialized, MAX_SERIALIZED_BYTES);
    return new CkksParameters(
        Math.toIntExact(degreeAndPrimes[0]),
        Arrays.copyOfRange(degreeAndPrimes, 1, degreeAndPrimes.length));
  }

  /** SEAL's serialized form (scheme CKKS, plain modulus 0). */
  public byte[] save(Compression compression) {
    NativeLoader.ensureLoaded();
    return Native.parametersSave(polyModulusDegree, coeffModulus, compression.code);
  }

  /** The parms_id of these parameters, i.e. of the key level of a context built from them. */
  public ParmsId parmsId() {
    NativeLoader.ensureLoaded();
    return ParmsId.of(Native.parametersParmsId(polyModulusDegree, coeffModulus));
  }

  public int polyModulusDegree() {
    return polyModulusDegree;
  }

  public long[] coeffModulus() {
    return coeffModulus.clone();
  }

  long[] primes() {
    return coeffModulus;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CkksParameters p
        && p.polyModulusDegree == polyModulusDegree
        && Arrays.equals(p.coeffModulus, coeffModulus);
  }

  @Override
  public int hashCode() {
    return 31 * polyModulusDegree + Arrays.hashCode(coeffModulus);
  }

  @Override
  public String toString() {
    return "CkksParameters{N="
        + polyModulusDegree
        + ", coeffModulus="
        + Arrays.toString(coeffModulus)
        + "}";
  }
}
