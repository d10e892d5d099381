package dev.veil.functions.smpc;

import dev.veil.runtime.spi.CliCommand;
import dev.veil.smpc.FixedPoint;
import dev.veil.smpc.Mlp;
import dev.veil.smpc.Prg;
import dev.veil.smpc.SharedMlp;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * {@code veil smpc share-model ...} (the model owner) and {@code veil smpc predict ...} (the
 * client). Exit code 0 on success, 1 when the work failed, 2 on bad arguments.
 */
public final class SmpcCli implements CliCommand {
  private static final String USAGE =
      "veil smpc share-model --model mnist-mlp|mnist-logistic|breast-cancer|linear-1x1|FILE.json "
          + "--party0 DIR|blob:CONTAINER --party1 DIR|blob:CONTAINER --provider DIR|blob:CONTAINER "
          + "[--connection0 CS] [--connection1 CS] [--connection2 CS] [--frac-bits N]\n"
          + "       veil smpc predict (--image digit.png | --features v1,v2,...) [--model mnist-mlp|breast-cancer] "
          + "[--output scores|argmax|both] [--party0 URL] [--party1 URL] [--key KEY] "
          + "[--certificate FILE --certificate-key FILE --ca FILE]";
  private static final long MAX_IMAGE_BYTES = 10L << 20;

  @Override
  public String name() {
    return "smpc";
  }

  @Override
  public String usage() {
    return USAGE;
  }

  /**
   * With {@code --certificate}, {@code --certificate-key} and {@code --ca}: a JDK client for
   * parties that require client certificates; else null (the client's default).
   */
  private static java.net.http.HttpClient http(Map<String, String> options) {
    String certificate = options.get("certificate"),
        key = options.get("certificate-key"),
        ca = options.get("ca");
    if (certificate == null && key == null && ca == null) {
      return null;
    }
    if (certificate == null || key == null || ca == null) {
      throw new IllegalArgumentException(
          "--certificate, --certificate-key and --ca go together (a client certificate, its key, "
              + "and the CA the parties' certificates come from)");
    }
    return java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .sslContext(SmpcHttp.mutualTls(Path.of(certificate), Path.of(key), Path.of(ca)))
        .build();
  }

  public static void main(String[] args) {
    System.exit(new SmpcCli().run(List.of(args), System.out, System.err));
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
      out.println("usage: " + USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    Map<String, String> options = new HashMap<>();
    try {
      for (int i = 1; i < args.size(); i++) {
        String a = args.get(i);
        if (!a.startsWith("--") || i + 1 >= args.size()) {
          throw new IllegalArgumentException(
              a.startsWith("--") ? a + " needs a value" : "unexpected argument '" + a + "'");
        }
        options.put(a.substring(2), args.get(++i));
      }
      return switch (args.get(0)) {
        case "share-model" -> shareModel(options, out);
        case "predict" -> predict(options, out);
        default -> throw new IllegalArgumentException("unknown subcommand '" + args.get(0) + "'");
      };
    } catch (IllegalArgumentException e) {
      err.println("veil smpc: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    } catch (IOException | RuntimeException e) {
      err.println("veil smpc: " + e.getMessage());
      return 1;
    }
  }

  private static String required(Map<String, String> options, String name) {
    String v = options.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  private static int shareModel(Map<String, String> options, PrintStream out) throws IOException {
    Mlp model = SmpcModels.named(required(options, "model"));
    FixedPoint fp = new FixedPoint(Integer.parseInt(options.getOrDefault("frac-bits", "16")));
    ShareStore[] stores = {
      store(options, "party0", 0), store(options, "party1", 1), store(options, "provider", 2)
    };
    SharedMlp.Split split = SharedMlp.split(model, fp, Prg.fresh());
    for (int p = 0; p < 2; p++) {
      stores[p].put(split.party(p));
      out.println(
          "party "
              + p
              + ": "
              + model.name()
              + " "
              + split.party(p).version()
              + " -> "
              + describe(stores[p]));
    }
    stores[2].put(split.masks());
    out.println(
        "provider: weight masks of "
            + model.name()
            + " "
            + split.masks().version()
            + " -> "
            + describe(stores[2]));
    return 0;
  }

  /**
   * Role {@code index}'s store (0, 1: the parties, 2: the provider), named by {@code --<option>}.
   */
  private static ShareStore store(Map<String, String> options, String option, int index) {
    String target = required(options, option);
    if (target.startsWith("blob:")) {
      String conn =
          options.getOrDefault(
              "connection" + index, System.getenv("VEIL_SMPC_STORAGE" + index)); // own process
      if (conn == null) {
        throw new IllegalArgumentException(
            "--"
                + option
                + " "
                + target
                + " needs --connection"
                + index
                + " (or VEIL_SMPC_STORAGE"
                + index
                + "): the storage connection string of the "
                + option);
      }
      return new ShareStore.Blob(conn, target.substring(5));
    }
    return new ShareStore.Local(Path.of(target));
  }

  private static String describe(ShareStore s) {
    return s instanceof ShareStore.Blob b
        ? "blob container " + b.container()
        : ((ShareStore.Local) s).dir().toString();
  }

  private static int predict(Map<String, String> options, PrintStream out) throws IOException {
    String model = options.getOrDefault("model", "mnist-mlp");
    double[] row;
    if (options.containsKey("image")) {
      row = imagePixels(Path.of(options.get("image")));
    } else if (options.containsKey("features")) {
      String[] parts = options.get("features").split(",");
      row = new double[parts.length];
      for (int i = 0; i < parts.length; i++) {
        row[i] = Double.parseDouble(parts[i].trim());
      }
      if ("breast-cancer".equals(model)) {
        row = SmpcModels.standardize(row);
      }
    } else {
      throw new IllegalArgumentException("name an input: --image FILE or --features v1,v2,...");
    }
    if (!SmpcParty.OUTPUTS.contains(options.getOrDefault("output", "scores"))) {
      throw new IllegalArgumentException("--output is scores, argmax or both");
    }
    URI p0 =
        URI.create(
            options.getOrDefault(
                "party0", env("VEIL_SMPC_PARTY0_URL", "http://127.0.0.1:7071/api")));
    URI p1 =
        URI.create(
            options.getOrDefault(
                "party1", env("VEIL_SMPC_PARTY1_URL", "http://127.0.0.1:7072/api")));
    String key = options.getOrDefault("key", System.getenv("VEIL_FUNCTION_KEY")); // own process
    {
      java.net.http.HttpClient http = http(options);
      SmpcClient client =
          http == null
              ? new SmpcClient(p0, p1, key, Duration.ofSeconds(30))
              : new SmpcClient(p0, p1, key, Duration.ofSeconds(30), http);
      long start = System.nanoTime();
      SmpcClient.Output output =
          SmpcClient.Output.valueOf(
              options.getOrDefault("output", "scores").toUpperCase(java.util.Locale.ROOT));
      SmpcClient.Prediction p = client.predict(model, new double[][] {row}, output);
      double ms = (System.nanoTime() - start) / 1e6;
      out.println("prediction: " + p.labels()[0]);
      if (p.scores() != null) {
        StringBuilder scores = new StringBuilder();
        for (double s : p.scores()[0]) {
          scores
              .append(scores.length() == 0 ? "" : ", ")
              .append(String.format(java.util.Locale.ROOT, "%.4f", s));
        }
        out.println("scores: [" + scores + "]");
      }
      out.println(
          String.format(
              java.util.Locale.ROOT,
              "%.1f ms, %d rounds, %d bytes sent by each party",
              ms,
              p.rounds(),
              p.bytesPerParty()));
    }
    return 0;
  }

  // A command of its own process (not a function): it reads its own environment, like the options
  // it has.
  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** A digit image as MNIST expects it: 28×28 gray levels in [0, 1], white digit on black. */
  static double[] imagePixels(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + " is not a file");
    }
    if (Files.size(file) > MAX_IMAGE_BYTES) {
      throw new IllegalArgumentException(file + " is larger than " + MAX_IMAGE_BYTES + " bytes");
    }
    BufferedImage image = ImageIO.read(file.toFile());
    if (image == null) {
      throw new IllegalArgumentException(
          file + " is not an image Java can read (PNG, JPEG, GIF, BMP)");
    }
    BufferedImage small = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = small.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, 28, 28, null);
    g.dispose();
    double[] pixels = new double[784];
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        pixels[y * 28 + x] = (small.getRaster().getSample(x, y, 0)) / 255.0;
      }
    }
    return pixels;
  }
}
