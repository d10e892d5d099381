package dev.veil.functions.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which CSV columns are features. A file without a header row is all features; a header row names
 * columns, and those named like an identifier or a label ({@value #IGNORED_NAMES}) are left out, so
 * a training file such as functions/training/data/wdbc.csv (30 features and a {@code diagnosis}
 * column) scores as it is.
 */
public final class CsvColumns {
  static final String IGNORED_NAMES = "id, label, diagnosis, target, class, y";
  private static final Set<String> IGNORED =
      Set.of("id", "label", "diagnosis", "target", "class", "y");

  /** Every column is a feature. */
  public static final CsvColumns ALL = new CsvColumns(null, 0);

  private final boolean[] skip; // null: none skipped
  private final int width;

  private CsvColumns(boolean[] skip, int width) {
    this.skip = skip;
    this.width = width;
  }

  /** The columns a header line names, leaving out identifiers and labels. */
  public static CsvColumns fromHeader(String header) {
    String[] names = header.split(",", -1);
    boolean[] skip = new boolean[names.length];
    boolean any = false;
    for (int i = 0; i < names.length; i++) {
      String name = names[i].trim().replace("\"", "").toLowerCase(Locale.ROOT);
      skip[i] = IGNORED.contains(name);
      any |= skip[i];
    }
    return new CsvColumns(any ? skip : null, names.length);
  }

  /**
   * The feature values of one data line; a line whose width differs from the header's is refused.
   */
  public double[] features(String line) {
    if (skip == null) {
      return RowScorer.parseCsv(line);
    }
    String[] cells = line.split(",", -1);
    if (cells.length != width) {
      throw new IllegalArgumentException(
          "row has " + cells.length + " columns; the header names " + width);
    }
    List<String> kept = new ArrayList<>(cells.length);
    for (int i = 0; i < cells.length; i++) {
      if (!skip[i]) {
        kept.add(cells[i]);
      }
    }
    return RowScorer.parseCsv(String.join(",", kept));
  }
}
