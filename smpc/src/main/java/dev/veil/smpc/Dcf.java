package dev.veil.smpc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Distributed comparison functions (function secret sharing; Boyle, Chandran, Gilboa, Gupta, Ishai,
 * Kumar, Rathee, "Function Secret Sharing for Mixed-Mode and Fixed-Point Secure Computation",
 * Eurocrypt 2021, the DCF construction; used the same way by AriaNN). The dealer turns the function
 * f(x) = β if x &lt; α, else 0, on {@value #BITS}-bit inputs into two keys; each party evaluates
 * its key on a public x and gets an additive share of f(x) in Z_2^64. A key alone is pseudo-random
 * and hides α and β.
 *
 * <p>A key is a 128-bit root seed (different per party) and correction words common to both: per
 * level a 128-bit seed correction, a 64-bit value correction and two bits, plus one final 64-bit
 * word — 25 bytes per level, {@value #CW_BYTES} bytes per comparison. The tree's PRG G is fixed-key
 * AES in Matyas–Meyer–Oseas mode (four blocks per node), computed for a whole batch of comparisons
 * in one cipher call per level. Instances are not thread-safe.
 */
public final class Dcf {
  /** Input width: the low 63 bits of a ring element (the top bit is handled by the DReLU gate). */
  public static final int BITS = 63;

  /** Correction-word bytes per comparison (shared by both keys). */
  public static final int CW_BYTES = BITS * 25 + 8;

  /** A fixed, public AES key: G(s) = AES_k(s ⊕ i) ⊕ (s ⊕ i), i = 0..3. */
  private static final byte[] FIXED_KEY =
      "veil-smpc-dcf-g0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final Cipher aes;
  private byte[] in = new byte[0];
  private byte[] out = new byte[0];

  public Dcf() {
    try {
      aes = Cipher.getInstance("AES/ECB/NoPadding");
      aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(FIXED_KEY, "AES"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES is not available in this JVM", e);
    }
  }

  /**
   * The correction words of {@code count} comparisons; level i of comparison e is at index e·BITS +
   * i.
   */
  public record CorrectionWords(
      int count, long[] seedHi, long[] seedLo, long[] value, byte[] bits, long[] last) {
    public static CorrectionWords allocate(int count) {
      int n = count * BITS;
      return new CorrectionWords(
          count, new long[n], new long[n], new long[n], new byte[n], new long[count]);
    }
  }

  /** G on a batch of seeds: left/right child seeds, values and bits. */
  private static final class Expansion {
    long[] lHi, lLo, rHi, rLo, vL, vR;
    byte[] tL, tR;

    Expansion(int n) {
      lHi = new long[n];
      lLo = new long[n];
      rHi = new long[n];
      rLo = new long[n];
      vL = new long[n];
      vR = new long[n];
      tL = new byte[n];
      tR = new byte[n];
    }
  }

  private void expand(long[] hi, long[] lo, int n, Expansion e) {
    int bytes = n * 64;
    if (in.length < bytes) {
      in = new byte[bytes];
      out = new byte[bytes];
    }
    ByteBuffer ib = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < n; k++) {
      for (int b = 0; b < 4; b++) {
        ib.putLong(k * 64 + b * 16, lo[k] ^ b);
        ib.putLong(k * 64 + b * 16 + 8, hi[k]);
      }
    }
    try {
      aes.doFinal(in, 0, bytes, out, 0);
    } catch (GeneralSecurityException ex) {
      throw new IllegalStateException(ex);
    }
    ByteBuffer ob = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < n; k++) {
      int o = k * 64;
      e.lLo[k] = ob.getLong(o) ^ ib.getLong(o);
      e.lHi[k] = ob.getLong(o + 8) ^ ib.getLong(o + 8);
      e.rLo[k] = ob.getLong(o + 16) ^ ib.getLong(o + 16);
      e.rHi[k] = ob.getLong(o + 24) ^ ib.getLong(o + 24);
      e.vL[k] = ob.getLong(o + 32) ^ ib.getLong(o + 32);
      e.vR[k] = ob.getLong(o + 40) ^ ib.getLong(o + 40);
      long t = ob.getLong(o + 48) ^ ib.getLong(o + 48);
      e.tL[k] = (byte) (t & 1);
      e.tR[k] = (byte) ((t >>> 1) & 1);
    }
  }

  /**
   * Dealer side: correction words for f_e(x) = beta[e] if x &lt; alpha[e] (alpha in [0, 2^63)),
   * given both parties' root seeds.
   */
  public CorrectionWords generate(
      long[] alpha, long[] beta, long[] root0Hi, long[] root0Lo, long[] root1Hi, long[] root1Lo) {
    int n = alpha.length;
    CorrectionWords cw = CorrectionWords.allocate(n);
    long[] s0Hi = root0Hi.clone(),
        s0Lo = root0Lo.clone(),
        s1Hi = root1Hi.clone(),
        s1Lo = root1Lo.clone();
    byte[] t0 = new byte[n];
    byte[] t1 = new byte[n];
    java.util.Arrays.fill(t1, (byte) 1);
    long[] va = new long[n];
    Expansion g0 = new Expansion(n);
    Expansion g1 = new Expansion(n);
    for (int i = 0; i < BITS; i++) {
      expand(s0Hi, s0Lo, n, g0);
      expand(s1Hi, s1Lo, n, g1);
      for (int e = 0; e < n; e++) {
        int a = (int) ((alpha[e] >>> (BITS - 1 - i)) & 1);
        int at = e * BITS + i;
        long sign1 = t1[e] == 1 ? -1 : 1;
        long cwHi, cwLo, vcw;
        long keep0Hi, keep0Lo, keep1Hi, keep1Lo, keepV0, keepV1;
        int keepT0, keepT1;
        if (a == 0) { // keep left, lose right
          cwHi = g0.rHi[e] ^ g1.rHi[e];
          cwLo = g0.rLo[e] ^ g1.rLo[e];
          vcw = sign1 * (g1.vR[e] - g0.vR[e] - va[e]);
          keep0Hi = g0.lHi[e];
          keep0Lo = g0.lLo[e];
          keep1Hi = g1.lHi[e];
          keep1Lo = g1.lLo[e];
          keepV0 = g0.vL[e];
          keepV1 = g1.vL[e];
          keepT0 = g0.tL[e];
          keepT1 = g1.tL[e];
        } else { // keep right, lose left: x < alpha on this branch, so the left subtree pays beta
          cwHi = g0.lHi[e] ^ g1.lHi[e];
          cwLo = g0.lLo[e] ^ g1.lLo[e];
          vcw = sign1 * (g1.vL[e] - g0.vL[e] - va[e]) + sign1 * beta[e];
          keep0Hi = g0.rHi[e];
          keep0Lo = g0.rLo[e];
          keep1Hi = g1.rHi[e];
          keep1Lo = g1.rLo[e];
          keepV0 = g0.vR[e];
          keepV1 = g1.vR[e];
          keepT0 = g0.tR[e];
          keepT1 = g1.tR[e];
        }
        va[e] = va[e] - keepV1 + keepV0 + sign1 * vcw;
        int tcwL = g0.tL[e] ^ g1.tL[e] ^ a ^ 1;
        int tcwR = g0.tR[e] ^ g1.tR[e] ^ a;
        int tcwKeep = a == 0 ? tcwL : tcwR;
        cw.seedHi()[at] = cwHi;
        cw.seedLo()[at] = cwLo;
        cw.value()[at] = vcw;
        cw.bits()[at] = (byte) (tcwL | (tcwR << 1));
        if (t0[e] == 1) {
          keep0Hi ^= cwHi;
          keep0Lo ^= cwLo;
        }
        if (t1[e] == 1) {
          keep1Hi ^= cwHi;
          keep1Lo ^= cwLo;
        }
        s0Hi[e] = keep0Hi;
        s0Lo[e] = keep0Lo;
        s1Hi[e] = keep1Hi;
        s1Lo[e] = keep1Lo;
        t0[e] = (byte) (keepT0 ^ (t0[e] & tcwKeep));
        t1[e] = (byte) (keepT1 ^ (t1[e] & tcwKeep));
      }
    }
    for (int e = 0; e < n; e++) {
      long sign1 = t1[e] == 1 ? -1 : 1;
      cw.last()[e] = sign1 * (s1Lo[e] - s0Lo[e] - va[e]);
    }
    return cw;
  }

  /** Party {@code party}'s share of f_e(x[e]) for each comparison e (x in [0, 2^63)). */
  public long[] evaluate(int party, long[] rootHi, long[] rootLo, CorrectionWords cw, long[] x) {
    int n = x.length;
    long sign = party == 0 ? 1 : -1;
    long[] sHi = rootHi.clone();
    long[] sLo = rootLo.clone();
    byte[] t = new byte[n];
    java.util.Arrays.fill(t, (byte) party);
    long[] v = new long[n];
    Expansion g = new Expansion(n);
    for (int i = 0; i < BITS; i++) {
      expand(sHi, sLo, n, g);
      for (int e = 0; e < n; e++) {
        int at = e * BITS + i;
        int bit = (int) ((x[e] >>> (BITS - 1 - i)) & 1);
        boolean corrected = t[e] == 1;
        long hi, lo, val;
        int tn;
        if (bit == 0) {
          hi = g.lHi[e];
          lo = g.lLo[e];
          val = g.vL[e];
          tn = g.tL[e] ^ (corrected ? cw.bits()[at] & 1 : 0);
        } else {
          hi = g.rHi[e];
          lo = g.rLo[e];
          val = g.vR[e];
          tn = g.tR[e] ^ (corrected ? (cw.bits()[at] >> 1) & 1 : 0);
        }
        if (corrected) {
          hi ^= cw.seedHi()[at];
          lo ^= cw.seedLo()[at];
          val += cw.value()[at];
        }
        v[e] += sign * val;
        sHi[e] = hi;
        sLo[e] = lo;
        t[e] = (byte) tn;
      }
    }
    for (int e = 0; e < n; e++) {
      v[e] += sign * (sLo[e] + (t[e] == 1 ? cw.last()[e] : 0));
    }
    return v;
  }
}
