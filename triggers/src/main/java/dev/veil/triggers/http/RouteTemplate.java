package dev.veil.triggers.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Azure (ASP.NET-style) route template ({@code items/{id:int}}, {@code files/{*path}}, {@code
 * users/{name?}}) as a regular expression over the request path. Supported constraints: {@code
 * int}, {@code long}, {@code bool}, {@code alpha}, {@code guid}, {@code double}; a path that does
 * not satisfy them does not match (404). An optional {@code {x?}} or catch-all {@code {*x}} segment
 * may be absent.
 */
final class RouteTemplate {
  private static final Pattern PARAM =
      Pattern.compile("\\{(\\*?)([A-Za-z_][A-Za-z0-9_]*)((?::[^:}?]+)*)(\\??)}");

  private final String template;
  private final Pattern pattern;
  private final List<Param> params;

  private RouteTemplate(String template, Pattern pattern, List<Param> params) {
    this.template = template;
    this.pattern = pattern;
    this.params = params;
  }

  private record Param(String name, List<Constraint> constraints) {}

  /**
   * The ASP.NET route constraints Azure Functions users write most; the regex only pre-filters,
   * {@link #accepts} decides.
   */
  enum Constraint {
    INT("-?[0-9]{1,10}"),
    LONG("-?[0-9]{1,19}"),
    BOOL("(?i:true|false)"),
    ALPHA("[A-Za-z]+"),
    GUID("\\{?[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}}?"),
    DOUBLE("-?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");

    final String regex;

    Constraint(String regex) {
      this.regex = regex;
    }

    boolean accepts(String value) {
      try {
        switch (this) {
          case INT -> Integer.parseInt(value);
          case LONG -> Long.parseLong(value);
          case DOUBLE -> Double.parseDouble(value);
          default -> {}
        }
        return true;
      } catch (NumberFormatException e) {
        return false; // out of range
      }
    }
  }

  /**
   * @throws IllegalArgumentException naming the problem: a malformed {parameter}, an unknown
   *     constraint, a catch-all that is not last
   */
  static RouteTemplate parse(String prefix, String route) {
    String trimmed = route.replaceAll("^/+|/+$", "");
    String full = "/" + (prefix.isEmpty() ? "" : prefix + "/") + trimmed;
    Matcher m = PARAM.matcher(full);
    StringBuilder regex = new StringBuilder();
    List<Param> params = new ArrayList<>();
    int literalStart = 0;
    while (m.find()) {
      String literal = full.substring(literalStart, m.start());
      if (literal.contains("{") || literal.contains("}")) {
        throw new IllegalArgumentException(
            "route '" + route + "' has a malformed {parameter} in '" + literal + "'");
      }
      boolean catchAll = !m.group(1).isEmpty();
      boolean optional = catchAll || !m.group(4).isEmpty();
      if (catchAll && m.end() != full.length()) {
        throw new IllegalArgumentException("route '" + route + "': a {*catch-all} must be last");
      }
      List<Constraint> constraints = constraints(route, m.group(3));
      String value = catchAll ? ".*" : valueRegex(constraints);
      String group = "(" + value + ")";
      // An optional parameter that is a whole last-but-not-literal segment takes its leading slash
      // with it.
      boolean wholeSegment =
          literal.endsWith("/") && (m.end() == full.length() || full.charAt(m.end()) == '/');
      if (optional && wholeSegment) {
        regex
            .append(quote(literal.substring(0, literal.length() - 1)))
            .append("(?:/")
            .append(group)
            .append(")?");
      } else {
        regex.append(quote(literal)).append(group).append(optional ? "?" : "");
      }
      params.add(new Param(m.group(2), constraints));
      literalStart = m.end();
    }
    String tail = full.substring(literalStart);
    if (tail.contains("{") || tail.contains("}")) {
      throw new IllegalArgumentException(
          "route '" + route + "' has a malformed {parameter} in '" + tail + "'");
    }
    regex.append(quote(tail)).append("/?");
    return new RouteTemplate(full, Pattern.compile("^" + regex + "$"), List.copyOf(params));
  }

  // Every constraint must match the same text: all but the last as lookaheads ending at the
  // segment's end.
  private static String valueRegex(List<Constraint> constraints) {
    if (constraints.isEmpty()) return "[^/]+";
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < constraints.size() - 1; i++)
      out.append("(?=(?:").append(constraints.get(i).regex).append(")(?![^/]))");
    return out.append("(?:")
        .append(constraints.get(constraints.size() - 1).regex)
        .append(")")
        .toString();
  }

  private static List<Constraint> constraints(String route, String spec) {
    List<Constraint> out = new ArrayList<>();
    for (String name : spec.split(":")) {
      if (name.isEmpty()) continue;
      try {
        out.add(Constraint.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "route '"
                + route
                + "': unsupported constraint ':"
                + name
                + "' (supported: int, long, bool, alpha, guid, double)");
      }
    }
    return out;
  }

  private static String quote(String literal) {
    return literal.isEmpty() ? "" : Pattern.quote(literal);
  }

  /** The template as written, with the route prefix ({@code /api/items/{id:int}}). */
  String template() {
    return template;
  }

  /** The regular expression a Vert.x route matches against the whole path. */
  String pathRegex() {
    return pattern.pattern();
  }

  /**
   * Whether the template has {parameters}; one without is routed by plain path comparison, no
   * regex.
   */
  boolean hasParameters() {
    return !params.isEmpty();
  }

  /**
   * The decoded parameter values of a path (absent optional parameters left out), or null when the
   * path does not match or a value breaks its constraint (e.g. an int out of range).
   */
  Map<String, String> match(String path) {
    if (params.isEmpty()) return Map.of(); // the router compared the path already
    Matcher m = pattern.matcher(path);
    if (!m.matches()) return null;
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < params.size(); i++) {
      String raw = m.group(i + 1);
      if (raw == null) continue;
      String value = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
      Param p = params.get(i);
      for (Constraint c : p.constraints()) {
        if (!c.accepts(value)) return null;
      }
      values.put(p.name(), value);
    }
    return values;
  }
}
