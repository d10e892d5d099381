package dev.veil.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.FixedDelayRetry;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.testext.BindingFunctions;
import dev.veil.runtime.testext.ManualTrigger;
import dev.veil.runtime.testext.MemoryOutput;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionScannerTest {
  private final FunctionScanner scanner =
      new FunctionScanner(
          getClass().getClassLoader(), Set.of(ManualTrigger.class), Set.of(MemoryOutput.class));

  @Test
  void findsFunctionsInAClassFolderRestrictedToPackages() throws Exception {
    List<FunctionDefinition> found =
        scanner.scan(List.of(testClasses()), List.of("dev.veil.runtime.testext"));
    assertEquals(
        List.of("copy", "order", "timer", "unbindable"),
        found.stream().map(FunctionDefinition::name).toList());
    FunctionDefinition copy = found.get(0);
    assertEquals(BindingFunctions.class, copy.declaringClass());
    assertEquals("ManualTrigger", copy.triggerKind());
    assertEquals("payload", copy.triggerParameter().name());
    assertEquals(5, copy.parameters().size());
    assertEquals(MemoryOutput.class, copy.returnBindings().get(0).annotationType());
    assertEquals(
        "TimerTrigger",
        found.get(2).triggerKind(),
        "Azure trigger annotations count without a provider");
  }

  @Test
  void findsFunctionsInAJar(@TempDir Path dir) throws Exception {
    Path jar = testClassesJar(dir.resolve("functions.jar"));
    List<FunctionDefinition> found =
        scanner.scan(List.of(jar), List.of("dev.veil.runtime.testext"));
    assertEquals(4, found.size());
  }

  @Test
  void readsAJarsFunctionIndexInsteadOfScanningIt(@TempDir Path dir) throws Exception {
    Path jar = testClassesJar(dir.resolve("functions.jar"));
    List<String> written = FunctionIndex.write(jar);
    assertTrue(written.contains(BindingFunctions.class.getName()), written.toString());
    assertTrue(written.contains(Retrying.class.getName()), written.toString());
    assertEquals(written, FunctionIndex.read(jar));
    assertEquals(
        List.of("copy", "order", "timer", "unbindable"),
        names(scanner.scan(List.of(jar), List.of("dev.veil.runtime.testext"))));

    // The host goes by the index alone: one that lists a single class yields that class's
    // functions, although the jar holds more.
    Path partial = testClassesJar(dir.resolve("partial.jar"));
    writeIndex(partial, Retrying.class.getName());
    assertEquals(List.of("retrying"), names(scanner.scan(List.of(partial), List.of())));
    assertEquals(4, scanner.scan(List.of(jar), List.of("dev.veil.runtime.testext")).size());
  }

  @Test
  void readsAClassFoldersFunctionIndex(@TempDir Path dir) throws Exception {
    Path folder = dir.resolve("classes");
    Path retrying = Path.of(Retrying.class.getName().replace('.', '/') + ".class");
    Files.createDirectories(folder.resolve(retrying).getParent());
    Files.copy(testClasses().resolve(retrying), folder.resolve(retrying));
    assertEquals(List.of(Retrying.class.getName()), FunctionIndex.write(folder));
    assertTrue(Files.isRegularFile(folder.resolve(FunctionIndex.PATH)));
    assertEquals(List.of("retrying"), names(scanner.scan(List.of(folder), List.of())));
  }

  @Test
  void anIndexNamingAMissingClassFailsWithTheClassAndTheJar(@TempDir Path dir) throws Exception {
    Path jar = testClassesJar(dir.resolve("stale.jar"));
    writeIndex(jar, Retrying.class.getName() + "\ndev.veil.runtime.testext.RemovedFunctions");
    String message =
        assertThrows(IllegalStateException.class, () -> scanner.scan(List.of(jar), List.of()))
            .getMessage();
    assertTrue(message.contains("dev.veil.runtime.testext.RemovedFunctions"), message);
    assertTrue(message.contains(jar.toString()), message);
    assertTrue(message.contains("stale"), message);
  }

  @Test
  void veilIndexWritesTheIndexOfAnAppJar(@TempDir Path dir) throws Exception {
    Path jar = testClassesJar(dir.resolve("app.jar"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    FunctionIndexCli cli = new FunctionIndexCli();
    assertEquals(
        0,
        cli.run(List.of(jar.toString()), new PrintStream(out, true), new PrintStream(err, true)),
        err.toString());
    assertTrue(FunctionIndex.read(jar).contains(Retrying.class.getName()));
    assertTrue(out.toString().contains("indexed"), out.toString());
    assertEquals(2, cli.run(List.of(), new PrintStream(out), new PrintStream(err)));
    assertEquals(
        2,
        cli.run(
            List.of(dir.resolve("missing.jar").toString()),
            new PrintStream(out),
            new PrintStream(err)));
    assertTrue(err.toString().contains("neither a jar nor a folder"), err.toString());
  }

  private static List<String> names(List<FunctionDefinition> functions) {
    return functions.stream().map(FunctionDefinition::name).toList();
  }

  private static void writeIndex(Path jar, String lines) throws Exception {
    try (FileSystem zip = FileSystems.newFileSystem(jar)) {
      Path index = zip.getPath(FunctionIndex.PATH);
      Files.createDirectories(index.getParent());
      Files.writeString(index, lines + "\n");
    }
  }

  /** A jar of this module's test classes. */
  private static Path testClassesJar(Path jar) throws Exception {
    Path root = testClasses();
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.putNextEntry(new JarEntry(root.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void readsRetryPolicy() {
    FunctionDefinition fn = scanner.definitions(List.of(Retrying.class)).get(0);
    assertEquals(4, fn.retry().maxRetryCount());
    assertEquals(Duration.ofSeconds(2), fn.retry().delayBefore(1));
    assertTrue(fn.retry().allowsRetry(3));
    assertTrue(!fn.retry().allowsRetry(4));
    // as on Azure, HTTP functions are not retried
    assertEquals(
        0, scanner.definitions(List.of(RetryingHttp.class)).get(0).retry().maxRetryCount());
  }

  @Test
  void setsAsideFunctionsItCannotDefineAndRejectsDuplicateNames() {
    assertEquals(List.of(), scanner.definitions(List.of(TwoTriggers.class, NoTrigger.class)));
    List<UnservedFunction> unserved = scanner.unserved();
    assertEquals(2, unserved.size(), unserved.toString());
    UnservedFunction both =
        unserved.stream().filter(u -> u.name().equals("both")).findFirst().orElseThrow();
    assertTrue(both.reason().contains("more than one trigger"), both.reason());
    assertEquals(2, both.bindings().size(), both.bindings().encode());
    UnservedFunction none =
        unserved.stream().filter(u -> !u.name().equals("both")).findFirst().orElseThrow();
    assertTrue(none.reason().contains("no parameter carries a trigger annotation"), none.reason());
    String duplicate =
        assertThrows(
                IllegalStateException.class,
                () -> scanner.definitions(List.of(Retrying.class, SameName.class)))
            .getMessage();
    assertTrue(duplicate.contains("function name 'retrying' is used by both"), duplicate);
  }

  private static Path testClasses() throws Exception {
    return Path.of(
        BindingFunctions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  public static class Retrying {
    @FunctionName("retrying")
    @FixedDelayRetry(maxRetryCount = 4, delayInterval = "00:00:02")
    public void run(@QueueTrigger(name = "q", queueName = "q") String message) {}
  }

  public static class RetryingHttp {
    @FunctionName("retryingHttp")
    @FixedDelayRetry(maxRetryCount = 4, delayInterval = "00:00:02")
    public void run(@HttpTrigger(name = "req") HttpRequestMessage<Optional<String>> request) {}
  }

  public static class SameName {
    @FunctionName("retrying")
    public void run(@HttpTrigger(name = "req") HttpRequestMessage<Optional<String>> request) {}
  }

  public static class TwoTriggers {
    @FunctionName("both")
    public void run(
        @HttpTrigger(name = "req") String a, @QueueTrigger(name = "q", queueName = "q") String b) {}
  }

  public static class NoTrigger {
    @FunctionName("none")
    public void run(String a) {}
  }
}
