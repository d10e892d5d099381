package dev.veil.smpc;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The correlated randomness a computation consumes, in the order it consumes it. Both parties and
 * the crypto provider derive the same plan (parties record it by running the computation on zeros,
 * see {@link PlanRecorder}); the provider deals exactly this list and a party's material refuses to
 * serve anything else.
 */
public record Plan(List<Item> items) {

  /** Bounds a plan a provider accepts: at most this many ring elements of material per party. */
  public static final long MAX_ELEMENTS = 1L << 25;

  public static final int MAX_ITEMS = 4096;

  public enum Kind {
    TRIPLE,
    MATRIX_TRIPLE,
    COMPARISON,
    MASKED_TRIPLE
  }

  /**
   * TRIPLE: a, b, c = a·b elementwise, length {@code n}. MATRIX_TRIPLE: A (n×k), B (k×m), C = A·B
   * (n×m). COMPARISON: {@code n} DReLU gates (a mask r, a share of r's top bit, one DCF key each).
   * MASKED_TRIPLE: A (n×k) and C = A·B for the fixed weight mask B (k×m) of model layer {@code
   * layer} ({@link WeightMasks}).
   */
  public record Item(Kind kind, int n, int k, int m, int layer) {
    public Item {
      if (n <= 0 || k < 0 || m < 0 || layer < 0) {
        throw new IllegalArgumentException("plan item " + kind + " has a non-positive size");
      }
    }

    public Item(Kind kind, int n, int k, int m) {
      this(kind, n, k, m, 0);
    }

    /** Ring elements this item holds for one party (the bound a provider checks before dealing). */
    public long elements() {
      return switch (kind) {
        case TRIPLE -> 3L * n;
        case MATRIX_TRIPLE -> (long) n * k + (long) k * m + (long) n * m;
        case COMPARISON -> (long) n * (4 + 3L * Dcf.BITS);
        case MASKED_TRIPLE -> (long) n * k + (long) n * m;
      };
    }

    @Override
    public String toString() {
      return switch (kind) {
        case TRIPLE -> "triple[" + n + "]";
        case MATRIX_TRIPLE -> "matrix-triple[" + n + "x" + k + " · " + k + "x" + m + "]";
        case COMPARISON -> "comparison[" + n + "]";
        case MASKED_TRIPLE -> "masked-triple[" + n + "x" + k + " · layer " + layer + " mask]";
      };
    }
  }

  public Plan {
    items = List.copyOf(items);
  }

  public long elements() {
    return items.stream().mapToLong(Item::elements).sum();
  }

  /** Throws naming the bound when this plan is larger than a provider deals. */
  public Plan checkBounds() {
    if (items.size() > MAX_ITEMS) {
      throw new IllegalArgumentException(
          "a plan has at most " + MAX_ITEMS + " items, this one " + items.size());
    }
    if (elements() > MAX_ELEMENTS) {
      throw new IllegalArgumentException(
          "the plan needs "
              + elements()
              + " ring elements per party; at most "
              + MAX_ELEMENTS
              + " are dealt per session");
    }
    return this;
  }

  public void write(DataOutputStream out) throws IOException {
    out.writeInt(items.size());
    for (Item item : items) {
      out.writeByte(item.kind().ordinal());
      out.writeInt(item.n());
      out.writeInt(item.k());
      out.writeInt(item.m());
      out.writeInt(item.layer());
    }
  }

  public static Plan read(DataInputStream in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > MAX_ITEMS) {
      throw new IOException("a plan has 0 to " + MAX_ITEMS + " items, this one says " + count);
    }
    List<Item> items = new ArrayList<>(count);
    Kind[] kinds = Kind.values();
    for (int i = 0; i < count; i++) {
      int kind = in.readUnsignedByte();
      if (kind >= kinds.length) {
        throw new IOException("unknown plan item kind " + kind);
      }
      try {
        items.add(new Item(kinds[kind], in.readInt(), in.readInt(), in.readInt(), in.readInt()));
      } catch (IllegalArgumentException e) {
        throw new IOException(e.getMessage());
      }
    }
    return new Plan(items);
  }

  public byte[] toBytes() {
    var bytes = new java.io.ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      write(out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static Plan fromBytes(byte[] bytes) throws IOException {
    return read(new DataInputStream(new java.io.ByteArrayInputStream(bytes)));
  }

  @Override
  public String toString() {
    return items.toString();
  }
}
