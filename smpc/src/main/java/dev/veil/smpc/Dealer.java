package dev.veil.smpc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The crypto provider's offline work: deals the correlated randomness of a {@link Plan} to both
 * parties, PRG-compressed. Every random part of party 0's material, and the random parts of party
 * 1's, come from a fresh 16-byte seed per party ({@link Prg}, AES-CTR); only what cannot be random
 * is sent explicitly — party 1's product shares c1 = a·b − c0, its share of each comparison mask's
 * top bit, and the DCF correction words both parties need. A bundle is meant for one computation; a
 * provider hands each one out once.
 *
 * <p>Bundle layout: magic {@code VSMB}, format 1, party, 16-byte seed, the plan, then the explicit
 * data (little-endian longs; correction words as seed-hi, seed-lo, value, bits, last).
 */
public final class Dealer {
  static final int MAGIC = 0x56534D42; // "VSMB"
  static final int FORMAT = 1;

  private final Dcf dcf = new Dcf();
  private final java.util.function.IntFunction<long[]> masks;

  /** A dealer for plans without masked triples. */
  public Dealer() {
    this(layer -> null);
  }

  /**
   * A dealer that knows a model's weight masks: {@code masks} gives layer l's mask B
   * (inputs×outputs).
   */
  public Dealer(java.util.function.IntFunction<long[]> masks) {
    this.masks = masks;
  }

  /** The two parties' bundles for one run of {@code plan}. */
  public record Dealt(byte[] party0, byte[] party1) {}

  /**
   * Deals {@code plan} (bounded by {@link Plan#checkBounds}). Not thread-safe: one dealer per
   * thread.
   */
  public Dealt deal(Plan plan) {
    plan.checkBounds();
    byte[] seed0 = Prg.newSeed();
    byte[] seed1 = Prg.newSeed();
    Prg prg0 = new Prg(seed0);
    Prg prg1 = new Prg(seed1);
    ByteBuffer out0 = header(0, seed0, plan);
    ByteBuffer out1 = header(1, seed1, plan);
    for (Plan.Item item : plan.items()) {
      switch (item.kind()) {
        case TRIPLE -> {
          int n = item.n();
          long[] a0 = prg0.longs(n), b0 = prg0.longs(n), c0 = prg0.longs(n);
          long[] a1 = prg1.longs(n), b1 = prg1.longs(n);
          for (int i = 0; i < n; i++) {
            out1.putLong((a0[i] + a1[i]) * (b0[i] + b1[i]) - c0[i]);
          }
        }
        case MATRIX_TRIPLE -> {
          int n = item.n(), k = item.k(), m = item.m();
          long[] a0 = prg0.longs(n * k), b0 = prg0.longs(k * m), c0 = prg0.longs(n * m);
          long[] a1 = prg1.longs(n * k), b1 = prg1.longs(k * m);
          long[] c = Ring.multiply(Ring.add(a0, a1), Ring.add(b0, b1), n, k, m);
          for (int i = 0; i < c.length; i++) {
            out1.putLong(c[i] - c0[i]);
          }
        }
        case MASKED_TRIPLE -> {
          int n = item.n(), k = item.k(), m = item.m();
          long[] mask = masks.apply(item.layer());
          if (mask == null || mask.length != k * m) {
            throw new IllegalArgumentException(
                "the dealer holds no " + k + "x" + m + " weight mask for layer " + item.layer());
          }
          long[] a0 = prg0.longs(n * k), c0 = prg0.longs(n * m);
          long[] a1 = prg1.longs(n * k);
          long[] c = Ring.multiply(Ring.add(a0, a1), mask, n, k, m);
          for (int i = 0; i < c.length; i++) {
            out1.putLong(c[i] - c0[i]);
          }
        }
        case COMPARISON -> {
          int n = item.n();
          long[] r0 = prg0.longs(n),
              top0 = prg0.longs(n),
              root0Hi = prg0.longs(n),
              root0Lo = prg0.longs(n);
          long[] r1 = prg1.longs(n), root1Hi = prg1.longs(n), root1Lo = prg1.longs(n);
          long[] alpha = new long[n];
          long[] beta = new long[n];
          for (int i = 0; i < n; i++) {
            long r = r0[i] + r1[i];
            long top = r >>> 63;
            alpha[i] = r & Long.MAX_VALUE;
            beta[i] = 1 - 2 * top;
            out1.putLong(top - top0[i]);
          }
          Dcf.CorrectionWords cw = dcf.generate(alpha, beta, root0Hi, root0Lo, root1Hi, root1Lo);
          putWords(out0, cw);
          putWords(out1, cw);
        }
        default -> throw new IllegalStateException();
      }
    }
    return new Dealt(finish(out0), finish(out1));
  }

  private static byte[] finish(ByteBuffer b) {
    if (b.hasRemaining()) {
      throw new IllegalStateException("bundle size miscounted: " + b.remaining() + " bytes left");
    }
    return b.array();
  }

  /** Bytes of party {@code party}'s bundle for {@code plan}. */
  public static int bundleBytes(int party, Plan plan) {
    long size = headerBytes(plan);
    for (Plan.Item item : plan.items()) {
      size +=
          switch (item.kind()) {
            case TRIPLE -> party == 1 ? 8L * item.n() : 0;
            case MATRIX_TRIPLE, MASKED_TRIPLE -> party == 1 ? 8L * item.n() * item.m() : 0;
            case COMPARISON -> (party == 1 ? 8L * item.n() : 0) + (long) item.n() * Dcf.CW_BYTES;
          };
    }
    if (size > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException(
          "the plan's material does not fit one bundle (" + size + " bytes)");
    }
    return (int) size;
  }

  static int headerBytes(Plan plan) {
    return 4 + 1 + 1 + Prg.SEED_BYTES + plan.toBytes().length;
  }

  private static ByteBuffer header(int party, byte[] seed, Plan plan) {
    ByteBuffer b = ByteBuffer.allocate(bundleBytes(party, plan)).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).put((byte) FORMAT).put((byte) party).put(seed).put(plan.toBytes());
    return b;
  }

  private static void putWords(ByteBuffer out, Dcf.CorrectionWords cw) {
    for (long v : cw.seedHi()) out.putLong(v);
    for (long v : cw.seedLo()) out.putLong(v);
    for (long v : cw.value()) out.putLong(v);
    out.put(cw.bits());
    for (long v : cw.last()) out.putLong(v);
  }
}
