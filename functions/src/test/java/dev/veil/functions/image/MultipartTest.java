package dev.veil.functions.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Form uploads as a browser sends them. (Over HTTP in Veil this needs the host to hand multipart bodies
 * to functions unparsed; its body handler currently consumes them.)
 */
class MultipartTest {
  private static byte[] form(String boundary, byte[] file) throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.png\"\r\n"
        + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    body.write(file);
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
    return body.toByteArray();
  }

  @Test
  void takesTheFilePartNotTheTextField() throws Exception {
    byte[] png = TestImages.encode(TestImages.gradient(20, 20), "png");
    assertArrayEquals(png, Multipart.firstFile(form("xyz", png), "multipart/form-data; boundary=xyz"));
    assertArrayEquals(png, Multipart.firstFile(form("a b", png), "multipart/form-data; boundary=\"a b\""));
  }

  @Test
  void malformedFormsAreBadInput() throws Exception {
    byte[] png = TestImages.encode(TestImages.gradient(20, 20), "png");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Multipart.firstFile(form("xyz", png), "multipart/form-data"))
        .getMessage().contains("boundary"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Multipart.firstFile("garbage".getBytes(StandardCharsets.UTF_8), "multipart/form-data; boundary=xyz"))
        .getMessage().contains("no part"));
  }
}
