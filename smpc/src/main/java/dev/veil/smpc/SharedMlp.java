package dev.veil.smpc;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One party's share of an {@link Mlp}: the architecture and activations in the clear; each layer's
 * weights as W^T = F + B, where B = B0 + B1 is a uniform mask, F = W^T − B the masked weights (the
 * same in both parties' files, uniform because B is), and this party's mask share B_j = PRG(seed_j)
 * stored as its 16-byte seed; the biases as additive shares. The crypto provider gets both seeds
 * ({@link WeightMasks}) but never F. Weights are stored transposed (inputs×outputs) because the
 * engine multiplies a batch of input rows by W^T.
 *
 * <p>{@code modelHash} identifies the plaintext model (SHA-256 of its encoding), {@code sharingId}
 * the split: shares of two different splits of the same model do not add up to it, so parties check
 * both.
 *
 * <p>File layout: magic {@code VSMW}, format 2, then (big-endian) name, hash, sharing id, party,
 * fractional bits, layer count; per layer: inputs, outputs, activation kind, coefficient count and
 * coefficients, the mask seed, then in·out masked weights and out bias shares (little-endian
 * longs).
 */
public record SharedMlp(
    String name,
    String modelHash,
    String sharingId,
    int party,
    FixedPoint fixedPoint,
    List<Layer> layers) {
  private static final int MAGIC = 0x56534D57; // "VSMW"
  private static final int FORMAT = 2;
  private static final int MAX_LAYERS = 16;
  private static final int MAX_WIDTH = 1 << 16;
  static final long MAX_WEIGHTS = 1L << 24;

  /**
   * One layer: {@code masked} is F (inputs×outputs, row-major); {@code weightShare} this party's
   * additive share of W^T, derived from its mask seed: F + B0 for party 0, B1 for party 1; {@code
   * bias} its bias share.
   */
  public record Layer(
      int inputs,
      int outputs,
      long[] masked,
      byte[] maskSeed,
      long[] weightShare,
      long[] bias,
      Mlp.Activation activation) {
    public static Layer of(
        int party,
        int inputs,
        int outputs,
        long[] masked,
        byte[] maskSeed,
        long[] bias,
        Mlp.Activation activation) {
      long[] mask = new Prg(maskSeed).longs(inputs * outputs);
      return new Layer(
          inputs,
          outputs,
          masked,
          maskSeed,
          party == 0 ? Ring.add(masked, mask) : mask,
          bias,
          activation);
    }
  }

  /** A model split for serving: each compute party's share and the crypto provider's masks. */
  public record Split(SharedMlp party0, SharedMlp party1, WeightMasks masks) {
    public SharedMlp party(int id) {
      return id == 0 ? party0 : party1;
    }
  }

  public SharedMlp {
    layers = List.copyOf(layers);
  }

  /** {@code modelHash/sharingId}: what two parties must agree on. */
  public String version() {
    return modelHash + "/" + sharingId;
  }

  public int inputs() {
    return layers.get(0).inputs();
  }

  public int outputs() {
    return layers.get(layers.size() - 1).outputs();
  }

  /** Splits {@code model}: every seed, mask and bias share is drawn from {@code prg}. */
  public static Split split(Mlp model, FixedPoint fp, Prg prg) {
    List<Layer> l0 = new ArrayList<>();
    List<Layer> l1 = new ArrayList<>();
    List<WeightMasks.Layer> masks = new ArrayList<>();
    MessageDigest digest = sha256();
    digest.update(model.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    digest.update((byte) fp.fracBits());
    for (Mlp.Layer layer : model.layers()) {
      int in = layer.inputs(), out = layer.outputs();
      long[] w = new long[in * out];
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          w[i * out + o] = fp.encode(layer.weights()[o][i]);
        }
      }
      long[] b = fp.encode(layer.bias());
      digest.update(longBytes(w));
      digest.update(longBytes(b));
      digest.update(layer.activation().kind().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      for (double c : layer.activation().coefficients()) {
        digest.update(longBytes(new long[] {Double.doubleToLongBits(c)}));
      }
      byte[] seed0 = seed(prg), seed1 = seed(prg);
      WeightMasks.Layer mask = new WeightMasks.Layer(in, out, seed0, seed1);
      long[] masked = Ring.sub(w, mask.mask());
      long[][] bs = Shares.split(b, prg);
      l0.add(Layer.of(0, in, out, masked, seed0, bs[0], layer.activation()));
      l1.add(Layer.of(1, in, out, masked.clone(), seed1, bs[1], layer.activation()));
      masks.add(mask);
    }
    String hash = HexFormat.of().formatHex(digest.digest(), 0, 8);
    String sharing = Long.toHexString(prg.nextLong() >>> 1);
    return new Split(
        new SharedMlp(model.name(), hash, sharing, 0, fp, l0),
        new SharedMlp(model.name(), hash, sharing, 1, fp, l1),
        new WeightMasks(model.name(), hash, sharing, masks));
  }

  private static byte[] seed(Prg prg) {
    return java.nio.ByteBuffer.allocate(Prg.SEED_BYTES)
        .putLong(prg.nextLong())
        .putLong(prg.nextLong())
        .array();
  }

  /**
   * Adds two parties' shares back into the plaintext model (the model owner's check; no party can
   * do it alone).
   */
  public static Mlp reconstruct(SharedMlp s0, SharedMlp s1) {
    if (!s0.version().equals(s1.version()) || s0.party() == s1.party()) {
      throw new IllegalArgumentException(
          "shares "
              + s0.version()
              + " (party "
              + s0.party()
              + ") and "
              + s1.version()
              + " (party "
              + s1.party()
              + ") are not the two halves of one split");
    }
    FixedPoint fp = s0.fixedPoint();
    List<Mlp.Layer> layers = new ArrayList<>();
    for (int l = 0; l < s0.layers().size(); l++) {
      Layer a = s0.layers().get(l), b = s1.layers().get(l);
      long[] wt = Ring.add(a.weightShare(), b.weightShare());
      double[][] w = new double[a.outputs()][a.inputs()];
      for (int i = 0; i < a.inputs(); i++) {
        for (int o = 0; o < a.outputs(); o++) {
          w[o][i] = fp.decode(wt[i * a.outputs() + o]);
        }
      }
      layers.add(
          new Mlp.Layer(w, fp.decode(Shares.reconstruct(a.bias(), b.bias())), a.activation()));
    }
    return new Mlp(s0.name(), layers);
  }

  public void write(OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16));
    out.writeInt(MAGIC);
    out.writeByte(FORMAT);
    out.writeUTF(name);
    out.writeUTF(modelHash);
    out.writeUTF(sharingId);
    out.writeByte(party);
    out.writeByte(fixedPoint.fracBits());
    out.writeByte(layers.size());
    for (Layer layer : layers) {
      out.writeInt(layer.inputs());
      out.writeInt(layer.outputs());
      out.writeUTF(layer.activation().kind());
      out.writeByte(layer.activation().coefficients().length);
      for (double c : layer.activation().coefficients()) {
        out.writeDouble(c);
      }
      out.write(layer.maskSeed());
      out.write(longBytes(layer.masked()));
      out.write(longBytes(layer.bias()));
    }
    out.flush();
  }

  /**
   * Reads a share file, bounding every size before allocating.
   *
   * @throws IOException naming the problem when the file is not a well-formed share file
   */
  public static SharedMlp read(InputStream is) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16));
    if (in.readInt() != MAGIC || in.readUnsignedByte() != FORMAT) {
      throw new IOException("not a Veil model share file (bad magic or format)");
    }
    String name = in.readUTF(), hash = in.readUTF(), sharing = in.readUTF();
    int party = in.readUnsignedByte();
    int frac = in.readUnsignedByte();
    int count = in.readUnsignedByte();
    if (party > 1 || count < 1 || count > MAX_LAYERS) {
      throw new IOException("share file names party " + party + " and " + count + " layers");
    }
    FixedPoint fp;
    try {
      fp = new FixedPoint(frac);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage());
    }
    List<Layer> layers = new ArrayList<>();
    for (int l = 0; l < count; l++) {
      int inputs = in.readInt(), outputs = in.readInt();
      if (inputs < 1
          || outputs < 1
          || inputs > MAX_WIDTH
          || outputs > MAX_WIDTH
          || (long) inputs * outputs > MAX_WEIGHTS) {
        throw new IOException("layer " + l + " has an unsupported shape " + outputs + "x" + inputs);
      }
      if (l > 0 && inputs != layers.get(l - 1).outputs()) {
        throw new IOException(
            "layer "
                + l
                + " takes "
                + inputs
                + " inputs but the previous layer gives "
                + layers.get(l - 1).outputs());
      }
      String kind = in.readUTF();
      int coefficients = in.readUnsignedByte();
      if (coefficients > 8) {
        throw new IOException(
            "layer " + l + " has " + coefficients + " activation coefficients; at most 8");
      }
      double[] c = new double[coefficients];
      for (int i = 0; i < c.length; i++) {
        c[i] = in.readDouble();
      }
      Mlp.Activation activation;
      try {
        activation = Mlp.Activation.of(kind, c);
      } catch (IllegalArgumentException e) {
        throw new IOException("layer " + l + ": " + e.getMessage());
      }
      byte[] seed = new byte[Prg.SEED_BYTES];
      in.readFully(seed);
      layers.add(
          Layer.of(
              party,
              inputs,
              outputs,
              readLongs(in, inputs * outputs),
              seed,
              readLongs(in, outputs),
              activation));
    }
    if (in.read() != -1) {
      throw new IOException("share file has bytes after its last layer");
    }
    return new SharedMlp(name, hash, sharing, party, fp, layers);
  }

  private static long[] readLongs(DataInputStream in, int n) throws IOException {
    byte[] bytes = new byte[8 * n];
    in.readFully(bytes);
    long[] out = new long[n];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
    return out;
  }

  private static byte[] longBytes(long[] v) {
    return Wire.toBytes(v);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
