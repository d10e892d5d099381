package dev.veil.runtime.spi;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.UUID;

/**
 * Resolves Azure binding expressions in binding paths: {@code {name}} from an invocation's binding
 * data, {@code %NAME%} from app settings, and the built-ins {@code {rand-guid}} and {@code
 * {DateTime}}.
 */
public final class BindingExpressions {
  private BindingExpressions() {}

  public static String resolve(
      String template, Map<String, Object> bindingData, AppSettings settings) {
    StringBuilder out = new StringBuilder(template.length());
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c == '{' || c == '%') {
        char close = c == '{' ? '}' : '%';
        int end = template.indexOf(close, i + 1);
        if (end < 0)
          throw InvocationFailure.badInput(
              "binding expression '" + template + "' has an unclosed '" + c + "'");
        String name = template.substring(i + 1, end);
        out.append(
            c == '{'
                ? fromBindingData(name, bindingData, template)
                : fromSettings(name, settings, template));
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static String fromBindingData(String name, Map<String, Object> data, String template) {
    if (name.equals("rand-guid")) return UUID.randomUUID().toString();
    if (name.equals("DateTime"))
      return OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    Object value = data.get(name);
    if (value == null) {
      throw InvocationFailure.badInput(
          "binding expression '"
              + template
              + "' needs '{"
              + name
              + "}', which this event does not provide");
    }
    return value.toString();
  }

  private static String fromSettings(String name, AppSettings settings, String template) {
    return settings
        .get(name)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "binding expression '"
                        + template
                        + "' needs app setting '"
                        + name
                        + "', which is not set"));
  }
}
