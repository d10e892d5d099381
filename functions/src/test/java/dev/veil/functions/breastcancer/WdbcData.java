package dev.veil.functions.breastcancer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The committed Wisconsin diagnostic data ({@code functions/training/data/wdbc.csv}) for tests: raw
 * features and labels (1 = malignant), plus the validation split named by the model file.
 */
public record WdbcData(double[][] features, int[] labels) {

  /** Path relative to the functions module, where Maven runs its tests. */
  public static final Path CSV = Path.of("training", "data", "wdbc.csv");

  public static WdbcData load() {
    try {
      List<String> lines = Files.readAllLines(CSV);
      double[][] features = new double[lines.size() - 1][];
      int[] labels = new int[features.length];
      for (int r = 0; r < features.length; r++) {
        String[] cells = lines.get(r + 1).split(",");
        features[r] = new double[cells.length - 1];
        for (int i = 0; i < features[r].length; i++) {
          features[r][i] = Double.parseDouble(cells[i]);
        }
        labels[r] = cells[cells.length - 1].equals("M") ? 1 : 0;
      }
      return new WdbcData(features, labels);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + CSV.toAbsolutePath(), e);
    }
  }

  /** The rows with these indices, e.g. {@link BreastCancerModel#validationRows()}. */
  public WdbcData rows(int[] indices) {
    double[][] f = new double[indices.length][];
    int[] l = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      f[i] = features[indices[i]].clone();
      l[i] = labels[indices[i]];
    }
    return new WdbcData(f, l);
  }

  /** The validation split of the bundled model (114 rows). */
  public static WdbcData validation() {
    return load().rows(BreastCancerModel.bundled().validationRows());
  }
}
