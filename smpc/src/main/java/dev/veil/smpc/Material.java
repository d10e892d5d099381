package dev.veil.smpc;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One party's dealt material ({@link Dealer}'s bundle), served in plan order and only once: asking
 * for anything other than the next planned item, or for more than was dealt, is an error. Not
 * thread-safe.
 */
public final class Material implements Randomness {
  private final int party;
  private final Plan plan;
  private final Prg prg;
  private final ByteBuffer data;
  private int next;

  /**
   * Reads a bundle for {@code party}.
   *
   * @throws IllegalArgumentException naming the problem when the bytes are not a well-formed bundle
   *     for this party
   */
  public Material(int party, byte[] bundle) {
    this.party = party;
    if (bundle == null || bundle.length < 26) {
      throw new IllegalArgumentException("material bundle is too short to be one");
    }
    ByteBuffer b = ByteBuffer.wrap(bundle).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt() != Dealer.MAGIC || b.get() != Dealer.FORMAT) {
      throw new IllegalArgumentException("not a material bundle (bad magic or format)");
    }
    int owner = b.get();
    if (owner != party) {
      throw new IllegalArgumentException(
          "material bundle is for party " + owner + ", not party " + party);
    }
    byte[] seed = new byte[Prg.SEED_BYTES];
    b.get(seed);
    try {
      DataInputStream in =
          new DataInputStream(
              new ByteArrayInputStream(bundle, b.position(), bundle.length - b.position()));
      this.plan = Plan.read(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("material bundle has a malformed plan: " + e.getMessage());
    }
    int expected = Dealer.bundleBytes(party, plan);
    if (bundle.length != expected) {
      throw new IllegalArgumentException(
          "material bundle has " + bundle.length + " bytes; its plan needs " + expected);
    }
    b.position(Dealer.headerBytes(plan));
    this.data = b;
    this.prg = new Prg(seed);
  }

  public Plan plan() {
    return plan;
  }

  /** Whether every planned item was served. */
  public boolean usedUp() {
    return next == plan.items().size();
  }

  private Plan.Item take(Plan.Kind kind, int n, int k, int m) {
    return take(kind, n, k, m, 0);
  }

  private Plan.Item take(Plan.Kind kind, int n, int k, int m, int layer) {
    if (next >= plan.items().size()) {
      throw new IllegalStateException(
          "material is used up: all " + plan.items().size() + " dealt items were served");
    }
    Plan.Item item = plan.items().get(next);
    Plan.Item asked = new Plan.Item(kind, n, k, m, layer);
    if (!item.equals(asked)) {
      throw new IllegalStateException(
          "the computation asked for "
              + asked
              + " but item "
              + next
              + " of the dealt material is "
              + item);
    }
    next++;
    return item;
  }

  private long[] explicit(int n) {
    long[] out = new long[n];
    data.asLongBuffer().get(out);
    data.position(data.position() + 8 * n);
    return out;
  }

  @Override
  public Triple triple(int n) {
    take(Plan.Kind.TRIPLE, n, 0, 0);
    long[] a = prg.longs(n), b = prg.longs(n);
    return new Triple(a, b, party == 0 ? prg.longs(n) : explicit(n));
  }

  @Override
  public Triple matrixTriple(int n, int k, int m) {
    take(Plan.Kind.MATRIX_TRIPLE, n, k, m);
    long[] a = prg.longs(n * k), b = prg.longs(k * m);
    return new Triple(a, b, party == 0 ? prg.longs(n * m) : explicit(n * m));
  }

  @Override
  public Triple maskedTriple(int n, int k, int m, int layer) {
    take(Plan.Kind.MASKED_TRIPLE, n, k, m, layer);
    long[] a = prg.longs(n * k);
    return new Triple(a, null, party == 0 ? prg.longs(n * m) : explicit(n * m));
  }

  @Override
  public Comparison comparison(int n) {
    take(Plan.Kind.COMPARISON, n, 0, 0);
    long[] mask = prg.longs(n);
    long[] top = party == 0 ? prg.longs(n) : null;
    long[] rootHi = prg.longs(n), rootLo = prg.longs(n);
    if (party == 1) {
      top = explicit(n);
    }
    int levels = n * Dcf.BITS;
    long[] seedHi = explicit(levels), seedLo = explicit(levels), value = explicit(levels);
    byte[] bits = new byte[levels];
    data.get(bits);
    long[] last = explicit(n);
    return new Comparison(
        mask, top, rootHi, rootLo, new Dcf.CorrectionWords(n, seedHi, seedLo, value, bits, last));
  }
}
