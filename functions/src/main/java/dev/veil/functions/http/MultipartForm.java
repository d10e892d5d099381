package dev.veil.functions.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A multipart/form-data body (RFC 7578) as the host hands it over: raw bytes. Functions that accept
 * form uploads read their parts here. Every malformed body is a {@link FunctionFailure#badInput
 * bad-input failure} naming the problem, which the host answers with 400.
 */
public final class MultipartForm {
  private static final Pattern NAME = Pattern.compile("(?i)[; ]name=\"([^\"]*)\"");
  private static final Pattern FILENAME = Pattern.compile("(?i)[; ]filename=\"([^\"]*)\"");
  private static final Pattern CONTENT_TYPE =
      Pattern.compile("(?im)^content-type:\\s*([^;\\r\\n]+)");
  private static final byte[] HEADERS_END = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  /** RFC 2046 limits a boundary to 70 characters. */
  private static final int MAX_BOUNDARY = 70;

  /**
   * One part of the form.
   *
   * @param name the field name (null when the part has none)
   * @param filename the file name a browser sends for a file field (null for a plain field)
   * @param contentType the part's media type in lower case (null when not given)
   */
  public record Part(String name, String filename, String contentType, byte[] content) {
    /** Whether the client sent this part as a file: with a filename or its own content type. */
    public boolean isFile() {
      return filename != null || contentType != null;
    }

    /** The content as text (UTF-8, surrounding whitespace removed). */
    public String text() {
      return new String(content, StandardCharsets.UTF_8).trim();
    }
  }

  private MultipartForm() {}

  /**
   * The parts of {@code body}, in order; {@code contentType} is the request's header with its
   * boundary.
   */
  public static List<Part> parse(byte[] body, String contentType) {
    String boundary = null;
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary="))
        boundary = p.substring(9).replace("\"", "");
    }
    if (boundary == null || boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
      throw FunctionFailure.badInput(
          "multipart/form-data without a valid boundary (1 to " + MAX_BOUNDARY + " characters)");
    }
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    byte[] nextDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    int pos = indexOf(body, delimiter, 0);
    if (pos < 0)
      throw FunctionFailure.badInput("the multipart body has no part (its boundary never occurs)");
    List<Part> parts = new ArrayList<>();
    while (true) {
      int start = pos + delimiter.length;
      if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-')
        return parts; // closing delimiter
      if (start + 1 < body.length && body[start] == '\r' && body[start + 1] == '\n') start += 2;
      int headersEnd = indexOf(body, HEADERS_END, start);
      int next = headersEnd < 0 ? -1 : indexOf(body, nextDelimiter, headersEnd + 2);
      if (next < 0)
        throw FunctionFailure.badInput(
            "multipart part " + (parts.size() + 1) + " is malformed or unterminated");
      String headers = new String(body, start, headersEnd - start, StandardCharsets.ISO_8859_1);
      int contentStart = Math.min(headersEnd + HEADERS_END.length, next);
      Matcher type = CONTENT_TYPE.matcher(headers);
      parts.add(
          new Part(
              group(NAME, headers),
              group(FILENAME, headers),
              type.find() ? type.group(1).trim().toLowerCase(Locale.ROOT) : null,
              Arrays.copyOfRange(body, contentStart, next)));
      pos = next + 2;
    }
  }

  private static String group(Pattern pattern, String headers) {
    Matcher m = pattern.matcher(headers);
    return m.find() ? m.group(1) : null;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(from, 0); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
