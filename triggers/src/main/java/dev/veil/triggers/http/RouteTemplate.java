package dev.veil.triggers.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Azure route template ({@code items/{id}}, {@code items/{id:int}}, {@code files/{*path}}) turned into a
 * Vert.x path ({@code /api/items/:id}, {@code /api/files/*}). Constraints such as {@code :int} are
 * accepted but not enforced, and an optional {@code {id?}} is treated as required.
 */
record RouteTemplate(String template, String vertxPath, String catchAllName) {
  private static final Pattern PARAM = Pattern.compile("\\{(\\*?)([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\\??}");

  static RouteTemplate parse(String prefix, String route) {
    String trimmed = route.replaceAll("^/+|/+$", "");
    String full = "/" + (prefix.isEmpty() ? "" : prefix + "/") + trimmed;
    Matcher m = PARAM.matcher(full);
    StringBuilder path = new StringBuilder();
    String catchAll = null;
    while (m.find()) {
      if (catchAll != null) throw new IllegalArgumentException("route '" + route + "': {*" + catchAll + "} must be last");
      if (m.group(1).isEmpty()) {
        m.appendReplacement(path, ":" + m.group(2));
      } else {
        if (m.end() != full.length()) throw new IllegalArgumentException("route '" + route + "': a {*catch-all} must be last");
        catchAll = m.group(2);
        m.appendReplacement(path, "*");
      }
    }
    m.appendTail(path);
    if (path.indexOf("{") >= 0 || path.indexOf("}") >= 0) {
      throw new IllegalArgumentException("route '" + route + "' has a malformed {parameter}");
    }
    return new RouteTemplate(full, path.toString(), catchAll);
  }
}
