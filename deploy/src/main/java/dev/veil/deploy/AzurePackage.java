package dev.veil.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.runtime.host.FunctionIndex;
import dev.veil.runtime.host.FunctionScanner;
import dev.veil.runtime.spi.FunctionDefinition;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes an Azure Functions Java app folder and its zip from a functions jar and its dependencies:
 * {@code host.json}, the jar, {@code lib/} and one {@code <function>/function.json} per
 * {@code @FunctionName}, plus {@code local.settings.json} naming the Java worker for Core Tools
 * ({@code func host start}, {@code func azure functionapp publish}, which never uploads it). This
 * is the layout {@code azure-functions-maven-plugin}'s package goal stages; the zip (for zip
 * deploy) leaves out local.settings.json.
 *
 * <p>{@code java dev.veil.deploy.AzurePackage <functions.jar> <lib folder> <app folder>}: the zip
 * is written next to the app folder as {@code <app folder>.zip}.
 */
public final class AzurePackage {
  /** The extension bundle the package asks for; it supplies the Kafka and Storage extensions. */
  public static final String EXTENSION_BUNDLE_ID = "Microsoft.Azure.Functions.ExtensionBundle";

  public static final String EXTENSION_BUNDLE_VERSION = "[4.*, 5.0.0)";

  private static final String LOCAL_SETTINGS = "local.settings.json";

  private AzurePackage() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException(
          "usage: AzurePackage <functions.jar> <lib folder> <app folder>");
    }
    Path app = Path.of(args[2]);
    List<String> functions = build(Path.of(args[0]), jarsIn(Path.of(args[1])), app);
    System.out.println(
        "Azure Functions app "
            + app
            + " (+ .zip): "
            + functions.size()
            + " functions "
            + functions);
  }

  /**
   * Writes the app folder (replacing what was there) and {@code <app>.zip}; answers the function
   * names.
   *
   * @param libraries the functions' runtime dependencies, without the Azure Functions Java library
   *     (the Java worker supplies it)
   */
  public static List<String> build(Path functionsJar, List<Path> libraries, Path app)
      throws IOException {
    if (!Files.isRegularFile(functionsJar))
      throw new IllegalArgumentException("no functions jar at " + functionsJar);
    List<FunctionDefinition> functions = discover(functionsJar, libraries);
    if (functions.isEmpty())
      throw new IllegalArgumentException(functionsJar + " declares no @FunctionName methods");
    deleteRecursively(app);
    Files.createDirectories(app.resolve("lib"));
    String jarName = functionsJar.getFileName().toString();
    Files.copy(functionsJar, app.resolve(jarName));
    FunctionIndex.write(app.resolve(jarName)); // Veil then reads it instead of scanning the jar
    for (Path library : libraries) {
      Files.copy(
          library,
          app.resolve("lib").resolve(library.getFileName()),
          StandardCopyOption.REPLACE_EXISTING);
    }
    write(app.resolve("host.json"), hostJson());
    write(app.resolve(LOCAL_SETTINGS), localSettings());
    List<String> names = new ArrayList<>();
    for (FunctionDefinition function : functions) {
      Path folder = app.resolve(function.name());
      Files.createDirectories(folder);
      write(folder.resolve("function.json"), FunctionJson.of(function, "../" + jarName));
      names.add(function.name());
    }
    zip(app, app.resolveSibling(app.getFileName() + ".zip"));
    return names;
  }

  static ObjectNode hostJson() {
    ObjectNode host = FunctionJson.JSON.createObjectNode().put("version", "2.0");
    host.putObject("extensionBundle")
        .put("id", EXTENSION_BUNDLE_ID)
        .put("version", EXTENSION_BUNDLE_VERSION);
    return host;
  }

  static ObjectNode localSettings() {
    ObjectNode settings = FunctionJson.JSON.createObjectNode().put("IsEncrypted", false);
    settings.putObject("Values").put("FUNCTIONS_WORKER_RUNTIME", "java");
    return settings;
  }

  // Classes are loaded without being initialized: a function's static model loading does not run
  // here.
  private static List<FunctionDefinition> discover(Path functionsJar, List<Path> libraries)
      throws IOException {
    List<URL> urls = new ArrayList<>();
    urls.add(functionsJar.toUri().toURL());
    for (Path library : libraries) urls.add(library.toUri().toURL());
    try (URLClassLoader loader =
        new URLClassLoader(urls.toArray(URL[]::new), AzurePackage.class.getClassLoader())) {
      return new FunctionScanner(loader, Set.of(), Set.of()).scan(List.of(functionsJar), List.of());
    }
  }

  static List<Path> jarsIn(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
    }
  }

  private static void write(Path file, ObjectNode json) throws IOException {
    Files.writeString(
        file, FunctionJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
  }

  // Entries are relative to the app folder: host.json sits at the zip's root, as zip deploy
  // expects.
  // local.settings.json stays out: it holds local development settings only.
  private static void zip(Path folder, Path zipFile) throws IOException {
    Files.deleteIfExists(zipFile);
    try (OutputStream out = Files.newOutputStream(zipFile);
        ZipOutputStream zip = new ZipOutputStream(out);
        Stream<Path> files = Files.walk(folder)) {
      for (Path file :
          (Iterable<Path>)
              files
                      .filter(Files::isRegularFile)
                      .filter(f -> !f.equals(folder.resolve(LOCAL_SETTINGS)))
                      .sorted()
                  ::iterator) {
        zip.putNextEntry(new ZipEntry(folder.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, zip);
        zip.closeEntry();
      }
    }
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) return;
    try (Stream<Path> files = Files.walk(path)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator)
        Files.delete(p);
    }
  }
}
