package dev.veil.functions.image;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Just enough multipart/form-data to take the uploaded file out of a form post. */
final class Multipart {
  private Multipart() {
  }

  /** The first part that carries a file (a filename or an image content type), else the first part. */
  static byte[] firstFile(byte[] body, String contentType) {
    String boundary = null;
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) boundary = p.substring(9).replace("\"", "");
    }
    if (boundary == null || boundary.isEmpty()) throw new IllegalArgumentException("multipart/form-data without a boundary");
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    byte[] first = null;
    int pos = indexOf(body, delimiter, 0);
    while (pos >= 0) {
      int headersStart = pos + delimiter.length;
      if (headersStart + 1 < body.length && body[headersStart] == '-' && body[headersStart + 1] == '-') break;
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
      if (headersEnd < 0) break;
      int next = indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1), headersEnd + 4);
      if (next < 0) break;
      String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.ISO_8859_1)
          .toLowerCase(Locale.ROOT);
      byte[] content = java.util.Arrays.copyOfRange(body, headersEnd + 4, next);
      if (headers.contains("filename=") || headers.contains("content-type: image/")) return content;
      if (first == null) first = content;
      pos = next + 2;
    }
    if (first == null) throw new IllegalArgumentException("the multipart body has no part");
    return first;
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
