package dev.veil.functions.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.http.FunctionFailure;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Form uploads as a browser or {@code curl -F} sends them (over HTTP: {@link ImageHttpTest}). */
class MultipartTest {
  /**
   * A form with a text field and, unless {@code fileType} is null, a file field of that content
   * type.
   */
  static byte[] form(String boundary, String fileType, byte[] file) throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(
        ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    if (fileType != null) {
      body.write(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.png\"\r\n"
                  + "Content-Type: "
                  + fileType
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      body.write(file);
      body.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
    return body.toByteArray();
  }

  @Test
  void takesTheFilePartNotTheTextField() throws Exception {
    byte[] png = TestImages.encode(TestImages.gradient(20, 20), "png");
    assertArrayEquals(
        png,
        Multipart.imageFile(form("xyz", "image/png", png), "multipart/form-data; boundary=xyz"));
    assertArrayEquals(
        png,
        Multipart.imageFile(
            form("a b", "image/png", png), "multipart/form-data; boundary=\"a b\""));
  }

  @Test
  void malformedFormsAreBadInput() throws Exception {
    byte[] png = TestImages.encode(TestImages.gradient(20, 20), "png");
    assertTrue(
        assertThrows(
                FunctionFailure.class,
                () -> Multipart.imageFile(form("xyz", "image/png", png), "multipart/form-data"))
            .getMessage()
            .contains("boundary"));
    assertTrue(
        assertThrows(
                FunctionFailure.class,
                () ->
                    Multipart.imageFile(
                        "garbage".getBytes(StandardCharsets.UTF_8),
                        "multipart/form-data; boundary=xyz"))
            .getMessage()
            .contains("no part"));
    assertTrue(
        assertThrows(
                FunctionFailure.class,
                () ->
                    Multipart.imageFile(
                        form("xyz", null, null), "multipart/form-data; boundary=xyz"))
            .getMessage()
            .contains("no file part (fields: note)"));
    assertTrue(
        assertThrows(
                FunctionFailure.class,
                () ->
                    Multipart.imageFile(
                        form("xyz", "text/plain", png), "multipart/form-data; boundary=xyz"))
            .getMessage()
            .contains("the file part 'file' has Content-Type 'text/plain'"));
  }
}
