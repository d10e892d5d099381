package dev.veil.smpc;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The crypto provider's part of a shared model: per layer the two seeds whose PRG streams add up to
 * the layer's weight mask B (inputs×outputs). With it the provider deals, per inference, C = A·B
 * for a fresh A; it never sees the masked weights F = W − B, so it learns nothing of W (unless it
 * colludes with a party, the model's standing assumption).
 *
 * <p>File layout: magic {@code VSMM}, format 1, name, model hash, sharing id, layer count; per
 * layer inputs, outputs and the two 16-byte seeds.
 */
public record WeightMasks(String name, String modelHash, String sharingId, List<Layer> layers) {
  private static final int MAGIC = 0x56534D4D; // "VSMM"

  public record Layer(int inputs, int outputs, byte[] seed0, byte[] seed1) {
    /** B = PRG(seed0) + PRG(seed1), inputs×outputs. */
    public long[] mask() {
      return Ring.add(
          new Prg(seed0).longs(inputs * outputs), new Prg(seed1).longs(inputs * outputs));
    }
  }

  public WeightMasks {
    layers = List.copyOf(layers);
  }

  public String version() {
    return modelHash + "/" + sharingId;
  }

  /** Every layer's mask, expanded (what a {@link Dealer} takes). */
  public long[][] expand() {
    long[][] out = new long[layers.size()][];
    for (int l = 0; l < out.length; l++) {
      out[l] = layers.get(l).mask();
    }
    return out;
  }

  /** A dealer for this model's inferences. */
  public Dealer dealer() {
    long[][] masks = expand();
    return new Dealer(l -> l >= 0 && l < masks.length ? masks[l] : null);
  }

  public void write(OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os));
    out.writeInt(MAGIC);
    out.writeByte(1);
    out.writeUTF(name);
    out.writeUTF(modelHash);
    out.writeUTF(sharingId);
    out.writeByte(layers.size());
    for (Layer l : layers) {
      out.writeInt(l.inputs());
      out.writeInt(l.outputs());
      out.write(l.seed0());
      out.write(l.seed1());
    }
    out.flush();
  }

  public static WeightMasks read(InputStream is) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(is));
    if (in.readInt() != MAGIC || in.readUnsignedByte() != 1) {
      throw new IOException("not a Veil weight-mask file (bad magic or format)");
    }
    String name = in.readUTF(), hash = in.readUTF(), sharing = in.readUTF();
    int count = in.readUnsignedByte();
    List<Layer> layers = new ArrayList<>();
    for (int l = 0; l < count; l++) {
      int inputs = in.readInt(), outputs = in.readInt();
      if (inputs < 1 || outputs < 1 || (long) inputs * outputs > SharedMlp.MAX_WEIGHTS) {
        throw new IOException("layer " + l + " has an unsupported shape " + outputs + "x" + inputs);
      }
      byte[] s0 = new byte[Prg.SEED_BYTES], s1 = new byte[Prg.SEED_BYTES];
      in.readFully(s0);
      in.readFully(s1);
      layers.add(new Layer(inputs, outputs, s0, s1));
    }
    if (count < 1 || in.read() != -1) {
      throw new IOException("weight-mask file has no layers or bytes after its last layer");
    }
    return new WeightMasks(name, hash, sharing, layers);
  }
}
