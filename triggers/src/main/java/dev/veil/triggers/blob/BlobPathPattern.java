package dev.veil.triggers.blob;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code @BlobTrigger} path such as {@code input/{name}.csv}: the container, the literal prefix
 * used for listing, and a matcher that extracts the {@code {name}} parts as binding data. A part
 * matches any characters, '/' included, as in Azure.
 */
final class BlobPathPattern {
  private final String container;
  private final String prefix;
  private final Pattern regex;
  private final List<String> names = new ArrayList<>();

  BlobPathPattern(String path) {
    String[] parts = BlobConnections.split(path, "@BlobTrigger");
    container = parts[0];
    String blob = parts[1];
    StringBuilder re = new StringBuilder("^");
    int i = 0;
    int firstBrace = blob.indexOf('{');
    prefix = firstBrace < 0 ? blob : blob.substring(0, firstBrace);
    while (i < blob.length()) {
      int open = blob.indexOf('{', i);
      if (open < 0) {
        re.append(Pattern.quote(blob.substring(i)));
        break;
      }
      int close = blob.indexOf('}', open);
      if (close < 0) {
        throw new IllegalArgumentException("@BlobTrigger path '" + path + "' has an unclosed '{'");
      }
      if (open > i) {
        re.append(Pattern.quote(blob.substring(i, open)));
      }
      String name = blob.substring(open + 1, close);
      if (name.isEmpty() || names.contains(name)) {
        throw new IllegalArgumentException(
            "@BlobTrigger path '" + path + "' has an empty or repeated '{" + name + "}'");
      }
      names.add(name);
      re.append("(?<g").append(names.size() - 1).append(">.+?)");
      i = close + 1;
    }
    regex = Pattern.compile(re.append('$').toString(), Pattern.DOTALL);
  }

  String container() {
    return container;
  }

  String prefix() {
    return prefix;
  }

  /** The named parts of a matching blob name, or empty when it does not match. */
  Optional<Map<String, String>> match(String blobName) {
    Matcher m = regex.matcher(blobName);
    if (!m.matches()) {
      return Optional.empty();
    }
    Map<String, String> values = new HashMap<>();
    for (int g = 0; g < names.size(); g++) {
      values.put(names.get(g), m.group("g" + g));
    }
    return Optional.of(values);
  }
}
