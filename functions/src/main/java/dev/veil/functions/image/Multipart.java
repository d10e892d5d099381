package dev.veil.functions.image;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough multipart/form-data to take the uploaded image out of a form post. */
final class Multipart {
  private static final Pattern NAME = Pattern.compile("(?i)[; ]name=\"([^\"]*)\"");
  private static final Pattern CONTENT_TYPE = Pattern.compile("(?im)^content-type:\\s*([^;\\r\\n]+)");
  private static final List<String> IMAGE_TYPES = List.of("image/jpeg", "image/png", "application/octet-stream");

  private Multipart() {
  }

  /**
   * The first file part (one with a filename or a content type). A form without one, or whose file is
   * not declared as an image, is bad input naming what it got.
   */
  static byte[] imageFile(byte[] body, String contentType) {
    String boundary = null;
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) boundary = p.substring(9).replace("\"", "");
    }
    if (boundary == null || boundary.isEmpty()) throw new IllegalArgumentException("multipart/form-data without a boundary");
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    List<String> fields = new ArrayList<>();
    int pos = indexOf(body, delimiter, 0);
    while (pos >= 0) {
      int headersStart = pos + delimiter.length;
      if (headersStart + 1 < body.length && body[headersStart] == '-' && body[headersStart + 1] == '-') break;
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
      if (headersEnd < 0) break;
      int next = indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1), headersEnd + 4);
      if (next < 0) break;
      String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.ISO_8859_1);
      Matcher name = NAME.matcher(headers);
      String field = name.find() ? name.group(1) : "?";
      Matcher type = CONTENT_TYPE.matcher(headers);
      boolean typed = type.find();
      if (typed || headers.toLowerCase(Locale.ROOT).contains("filename=")) {
        String mime = typed ? type.group(1).trim().toLowerCase(Locale.ROOT) : "application/octet-stream";
        if (!IMAGE_TYPES.contains(mime)) {
          throw new IllegalArgumentException("the file part '" + field + "' has Content-Type '" + mime
              + "': send a JPEG or PNG image (image/jpeg, image/png)");
        }
        return Arrays.copyOfRange(body, headersEnd + 4, next);
      }
      fields.add(field);
      pos = next + 2;
    }
    if (fields.isEmpty()) throw new IllegalArgumentException("the multipart body has no part");
    throw new IllegalArgumentException("the multipart form has no file part (fields: " + String.join(", ", fields)
        + "); send the image as a file, e.g. curl -F image=@photo.jpg");
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
