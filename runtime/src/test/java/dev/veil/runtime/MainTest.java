package dev.veil.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void parsesStartOptions() {
    HostOptions options =
        Main.parse(
            List.of("start", "--port", "8080", "--config", "conf", "--scan", "a.b", "--cluster"));
    assertEquals(8080, options.port());
    assertEquals(Path.of("conf"), options.configDirectory());
    assertEquals(Path.of("conf", ".veil"), options.dataDirectory());
    assertEquals(List.of("a.b"), options.scanPackages());
    assertTrue(options.clustered());
  }

  @Test
  void rejectsBadArgumentsWithAClearMessage() {
    assertEquals(
        "--port needs a number, got 'x'",
        assertThrows(
                IllegalArgumentException.class, () -> Main.parse(List.of("start", "--port", "x")))
            .getMessage());
    assertEquals(
        "unknown option '--nope'",
        assertThrows(
                IllegalArgumentException.class, () -> Main.parse(List.of("start", "--nope", "1")))
            .getMessage());
    assertEquals(
        "unknown command 'stop'",
        assertThrows(IllegalArgumentException.class, () -> Main.parse(List.of("stop")))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> Main.parse(List.of("start", "--port", "70000")));
    assertNull(Main.parse(List.of("--help")));
  }
}
