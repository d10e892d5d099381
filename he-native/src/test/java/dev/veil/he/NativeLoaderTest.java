package dev.veil.he;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader's failure path: the API classes without the packaged library, in a class loader of
 * their own (so this JVM's loaded copy does not interfere), must fail with a message naming what is
 * missing, and keep failing the same way on later calls.
 */
class NativeLoaderTest {

  @Test
  void missingLibraryIsReportedByName(@TempDir Path classesWithoutLibrary) throws Exception {
    Path classes =
        Path.of(CkksContext.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (Stream<Path> files = Files.walk(classes.resolve("dev"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = classesWithoutLibrary.resolve(classes.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    try (URLClassLoader isolated =
        new URLClassLoader(
            new URL[] {classesWithoutLibrary.toUri().toURL()},
            ClassLoader.getPlatformClassLoader())) {
      Class<?> params = isolated.loadClass("dev.veil.he.CkksParameters");
      Method withBitSizes = params.getMethod("withBitSizes", int.class, int[].class);
      for (int attempt = 0; attempt < 2; attempt++) {
        InvocationTargetException e =
            assertThrows(
                InvocationTargetException.class,
                () -> withBitSizes.invoke(null, 8192, new int[] {60, 40, 60}));
        Throwable cause = e.getCause();
        assertEquals("dev.veil.he.HeException", cause.getClass().getName());
        assertTrue(
            cause.getMessage().contains("native/linux-x86_64/libveilhe.so is missing"),
            cause.getMessage());
        assertTrue(cause.getMessage().contains("libzstd-dev"), cause.getMessage());
      }
    }
  }
}
