package dev.veil.functions.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipartFormTest {
  private static final String TYPE = "multipart/form-data; boundary=b0";

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void partsInOrderWithNamesFilenamesTypesAndExactContent() {
    byte[] body =
        bytes(
            "preamble\r\n--b0\r\nContent-Disposition: form-data; name=\"key_id\"\r\n\r\n alice \r\n"
                + "--b0\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n"
                + "--b0\r\nContent-Disposition: form-data; name=\"data\"; filename=\"c.bin\"\r\nContent-Type: Application/Octet-Stream\r\n\r\n"
                + "\u0000\r\n--b\u00ff\r\n--b0--\r\nepilogue");
    List<MultipartForm.Part> parts = MultipartForm.parse(body, TYPE);
    assertEquals(3, parts.size());
    assertEquals("key_id", parts.get(0).name());
    assertEquals("alice", parts.get(0).text());
    assertFalse(parts.get(0).isFile());
    assertEquals(0, parts.get(1).content().length);
    MultipartForm.Part file = parts.get(2);
    assertEquals("c.bin", file.filename());
    assertEquals("application/octet-stream", file.contentType());
    assertTrue(file.isFile());
    assertArrayEquals(
        bytes("\u0000\r\n--b\u00ff"),
        file.content(),
        "a near-boundary inside the content is content");
  }

  @Test
  void malformedBodiesNameTheProblem() {
    assertTrue(
        assertThrows(
                FunctionFailure.class, () -> MultipartForm.parse(bytes("x"), "multipart/form-data"))
            .getMessage()
            .contains("boundary"));
    assertTrue(
        assertThrows(
                FunctionFailure.class,
                () ->
                    MultipartForm.parse(
                        bytes("x"), "multipart/form-data; boundary=" + "b".repeat(71)))
            .getMessage()
            .contains("boundary"));
    assertTrue(
        assertThrows(FunctionFailure.class, () -> MultipartForm.parse(bytes("no delimiter"), TYPE))
            .getMessage()
            .contains("no part"));
    assertEquals(
        "multipart part 1 is malformed or unterminated",
        assertThrows(
                FunctionFailure.class,
                () ->
                    MultipartForm.parse(
                        bytes(
                            "--b0\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nnever closed"),
                        TYPE))
            .getMessage());
    assertNull(
        MultipartForm.parse(bytes("--b0\r\nX-Other: 1\r\n\r\nv\r\n--b0--"), TYPE).get(0).name());
  }
}
