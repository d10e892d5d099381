package dev.veil.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.BlobOutput;
import com.microsoft.azure.functions.annotation.BlobTrigger;
import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Azure Functions app that {@code mvn package} wrote to
 * deploy/target/azure-functions/veil-functions: host.json and every function.json against the
 * schemas kept as test data, each function.json against its method's annotations, the zip's layout,
 * and the jars against what the Java worker provides.
 */
class AzurePackageIT {
  static final Path APP =
      Path.of(System.getProperty("veil.azure.app", "target/azure-functions/veil-functions"));
  private static final ObjectMapper JSON = new ObjectMapper();

  static Path functionsJar() throws IOException {
    try (Stream<Path> files = Files.list(APP)) {
      List<Path> jars = files.filter(f -> f.toString().endsWith(".jar")).toList();
      assertEquals(1, jars.size(), "one functions jar at the app root: " + jars);
      return jars.get(0);
    }
  }

  static List<Path> libraries() throws IOException {
    return AzurePackage.jarsIn(APP.resolve("lib"));
  }

  /** The {@code @FunctionName} methods in the packaged jar, by function name. */
  static Map<String, Method> bundledFunctions() throws Exception {
    Map<String, Method> functions = new TreeMap<>();
    try (JarFile jar = new JarFile(functionsJar().toFile())) {
      for (String entry : Collections.list(jar.entries()).stream().map(e -> e.getName()).toList()) {
        if (!entry.endsWith(".class") || entry.startsWith("META-INF/")) continue;
        Class<?> type =
            Class.forName(
                entry.substring(0, entry.length() - 6).replace('/', '.'),
                false,
                AzurePackageIT.class.getClassLoader());
        for (Method m : type.getMethods()) {
          FunctionName name = m.getAnnotation(FunctionName.class);
          if (name != null) functions.put(name.value(), m);
        }
      }
    }
    return functions;
  }

  private static JsonNode read(Path file) throws IOException {
    return JSON.readTree(file.toFile());
  }

  @Test
  void hostJsonIsVersion2WithTheExtensionBundle() throws Exception {
    JsonNode host = read(APP.resolve("host.json"));
    assertEquals(List.of(), Schemas.violations(Schemas.HOST, host));
    assertEquals(
        "Microsoft.Azure.Functions.ExtensionBundle",
        host.path("extensionBundle").path("id").asText());
    assertEquals("[4.*, 5.0.0)", host.path("extensionBundle").path("version").asText());
  }

  @Test
  void localSettingsNameTheJavaWorker() throws Exception {
    assertEquals(
        "java",
        read(APP.resolve("local.settings.json"))
            .path("Values")
            .path("FUNCTIONS_WORKER_RUNTIME")
            .asText());
  }

  @Test
  void oneValidFunctionJsonPerBundledFunctionMatchingItsAnnotations() throws Exception {
    Map<String, Method> functions = bundledFunctions();
    assertTrue(functions.size() >= 10, "bundled functions: " + functions.keySet());
    try (Stream<Path> folders = Files.list(APP)) {
      assertEquals(
          new TreeSet<>(functions.keySet()),
          new TreeSet<>(
              folders
                  .filter(Files::isDirectory)
                  .map(f -> f.getFileName().toString())
                  .filter(n -> !n.equals("lib"))
                  .toList()));
    }
    String scriptFile = "../" + functionsJar().getFileName();
    for (Map.Entry<String, Method> function : functions.entrySet()) {
      JsonNode doc = read(APP.resolve(function.getKey()).resolve("function.json"));
      assertEquals(List.of(), Schemas.violations(Schemas.FUNCTION, doc), function.getKey());
      Method method = function.getValue();
      assertEquals(scriptFile, doc.path("scriptFile").asText(), function.getKey());
      assertEquals(
          method.getDeclaringClass().getCanonicalName() + "." + method.getName(),
          doc.path("entryPoint").asText());
      assertEquals(expectedBindings(method), doc.path("bindings"), function.getKey());
      assertFalse(
          doc.has("retry"), function.getKey() + ": no bundled function declares a retry policy");
    }
  }

  /**
   * What each annotation says, spelled out per binding kind (the generator itself works
   * generically).
   */
  private static ArrayNode expectedBindings(Method method) {
    ArrayNode bindings = JSON.createArrayNode();
    for (Parameter p : method.getParameters()) {
      for (Annotation a : p.getAnnotations()) {
        if (a instanceof HttpTrigger h) {
          ObjectNode b = binding("httpTrigger", "in", h.name());
          // The plugin writes methods (an array) and authLevel even when they hold their default.
          ArrayNode methods = b.putArray("methods");
          Arrays.stream(h.methods()).forEach(m -> methods.add(m.name()));
          b.put("authLevel", h.authLevel().name());
          optional(b, "route", h.route());
          optional(b, "dataType", h.dataType());
          bindings.add(b);
        } else if (a instanceof KafkaTrigger k) {
          ObjectNode b =
              binding("kafkaTrigger", "in", k.name())
                  .put("topic", k.topic())
                  .put("brokerList", k.brokerList());
          b.put("consumerGroup", k.consumerGroup()); // no default in the library
          if (k.cardinality() != Cardinality.ONE) b.put("cardinality", k.cardinality().name());
          optional(b, "dataType", k.dataType());
          bindings.add(b);
        } else if (a instanceof KafkaOutput k) {
          ObjectNode b =
              binding("kafka", "out", k.name())
                  .put("topic", k.topic())
                  .put("brokerList", k.brokerList());
          optional(b, "dataType", k.dataType());
          bindings.add(b);
        } else if (a instanceof BlobTrigger t) {
          ObjectNode b = binding("blobTrigger", "in", t.name()).put("path", t.path());
          optional(b, "dataType", t.dataType());
          optional(b, "connection", t.connection());
          bindings.add(b);
        } else if (a instanceof TimerTrigger t) {
          ObjectNode b = binding("timerTrigger", "in", t.name()).put("schedule", t.schedule());
          optional(b, "dataType", t.dataType());
          bindings.add(b);
        } else if (a instanceof BlobOutput o) {
          ObjectNode b = binding("blob", "out", o.name()).put("path", o.path());
          optional(b, "dataType", o.dataType());
          optional(b, "connection", o.connection());
          bindings.add(b);
        }
      }
    }
    if (bindings.get(0).path("type").asText().equals("httpTrigger")
        && method.getReturnType() != void.class) {
      bindings.add(binding("http", "out", "$return"));
    }
    return bindings;
  }

  private static ObjectNode binding(String type, String direction, String name) {
    return JSON.createObjectNode().put("type", type).put("direction", direction).put("name", name);
  }

  private static void optional(ObjectNode binding, String property, String value) {
    if (!value.isEmpty()) binding.put(property, value);
  }

  @Test
  void zipHoldsTheAppFolderWithHostJsonAtItsRoot() throws Exception {
    List<String> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(APP)) {
      walk.filter(Files::isRegularFile).forEach(f -> files.add(APP.relativize(f).toString()));
    }
    assertTrue(
        files.remove("local.settings.json"), "the folder has local.settings.json for Core Tools");
    List<String> entries;
    try (ZipFile zip = new ZipFile(APP.resolveSibling(APP.getFileName() + ".zip").toFile())) {
      entries = zip.stream().map(e -> e.getName()).sorted().toList();
    }
    assertEquals(files.stream().sorted().toList(), entries);
    String jar = functionsJar().getFileName().toString();
    for (String entry : entries) {
      boolean expected =
          entry.equals("host.json")
              || entry.equals(jar)
              || entry.matches("lib/[^/]+\\.jar")
              || entry.matches("[^/]+/function\\.json");
      assertTrue(expected, "unexpected entry in the Azure Functions zip: " + entry);
    }
    for (String function : bundledFunctions().keySet()) {
      assertTrue(entries.contains(function + "/function.json"), function);
    }
  }

  @Test
  void libHoldsTheDependenciesButNotWhatTheWorkerProvides() throws Exception {
    List<String> names = libraries().stream().map(p -> p.getFileName().toString()).toList();
    assertTrue(
        names.stream().noneMatch(n -> n.startsWith("azure-functions-java-")), names.toString());
    assertTrue(names.stream().noneMatch(n -> n.startsWith("veil-functions")), names.toString());
    for (String hostOnly :
        List.of("veil-triggers-", "kafka-clients-", "vertx-kafka-client-", "logback-")) {
      assertTrue(
          names.stream().noneMatch(n -> n.startsWith(hostOnly)),
          hostOnly + " belongs to Veil's host, not the app: " + names);
    }
    for (String needed :
        List.of("veil-he-", "veil-fpga-", "onnxruntime-", "caffeine-", "azure-storage-blob-")) {
      assertTrue(
          names.stream().anyMatch(n -> n.startsWith(needed)),
          needed + " missing from lib/: " + names);
    }
  }

  /**
   * libveilhe.so is inside veil-he's jar and asks the system for no more than the README promises:
   * glibc up to 2.36, zlib, zstd (libstdc++ and libgcc are linked in). Read with binutils' objdump.
   */
  @Test
  void heNativeLibraryTravelsInsideTheVeilHeJarWithTheDocumentedBaseline(@TempDir Path work)
      throws Exception {
    Path he =
        libraries().stream()
            .filter(p -> p.getFileName().toString().startsWith("veil-he-"))
            .findFirst()
            .orElseThrow();
    Path library = work.resolve("libveilhe.so");
    try (JarFile jar = new JarFile(he.toFile())) {
      ZipEntry entry = jar.getEntry("native/linux-x86_64/libveilhe.so");
      assertNotNull(
          entry,
          he
              + " has no native/linux-x86_64/libveilhe.so (was veil-he built with -Dexec.skip=true?)");
      try (InputStream in = jar.getInputStream(entry)) {
        Files.copy(in, library);
      }
    }
    String symbols = objdump("-T", library);
    Matcher versions = Pattern.compile("GLIBC_(\\d+)\\.(\\d+)").matcher(symbols);
    int newest = 0;
    while (versions.find())
      newest =
          Math.max(
              newest,
              Integer.parseInt(versions.group(1)) * 100 + Integer.parseInt(versions.group(2)));
    assertTrue(
        newest > 0 && newest <= 236,
        "newest glibc symbol version: " + newest / 100 + "." + newest % 100);
    Set<String> needed = new TreeSet<>();
    Matcher lines = Pattern.compile("NEEDED\\s+(\\S+)").matcher(objdump("-p", library));
    while (lines.find()) needed.add(lines.group(1));
    assertEquals(
        Set.of("libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libz.so.1", "libzstd.so.1"),
        needed);
  }

  private static String objdump(String option, Path file) throws Exception {
    Process objdump =
        new ProcessBuilder("objdump", option, file.toString()).redirectErrorStream(true).start();
    String out = new String(objdump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, objdump.waitFor(), "objdump " + option + ": " + out);
    return out;
  }

  /**
   * The Java worker puts the app's jar and lib/ beside its own copy of the Azure Functions library:
   * every class of the functions jar must link against exactly that.
   */
  @Test
  void functionsLinkAgainstThePackageAndTheWorkersLibraryAlone() throws Exception {
    try (URLClassLoader worker = workerClassLoader()) {
      for (Method function : bundledFunctions().values()) {
        Class<?> type = Class.forName(function.getDeclaringClass().getName(), false, worker);
        assertSame(worker, type.getClassLoader(), type + " must come from the package");
        // resolving every signature loads each type the class mentions in fields, constructors and
        // methods
        type.getDeclaredFields();
        type.getDeclaredConstructors();
        type.getDeclaredMethods();
        Method packaged =
            type.getMethod(
                function.getName(),
                Arrays.stream(function.getParameterTypes())
                    .map(c -> load(worker, c))
                    .toArray(Class<?>[]::new));
        assertNotNull(
            packaged.getAnnotation(load(worker, FunctionName.class).asSubclass(Annotation.class)));
      }
    }
  }

  /**
   * The CKKS engine's native code, extracted from the packaged veil-he jar, computes SEAL's primes
   * (q = 1 mod 2N).
   */
  @Test
  void heNativeLoadsFromThePackage() throws Exception {
    try (URLClassLoader worker = workerClassLoader()) {
      Class<?> parameters = Class.forName("dev.veil.he.CkksParameters", true, worker);
      assertSame(worker, parameters.getClassLoader());
      Object chosen =
          parameters
              .getMethod("withBitSizes", int.class, int[].class)
              .invoke(null, 8192, new int[] {60, 40, 40, 60});
      long[] primes = (long[]) parameters.getMethod("coeffModulus").invoke(chosen);
      assertEquals(4, primes.length);
      for (long q : primes) assertEquals(1, q % (2 * 8192), "prime " + q);
    }
  }

  /**
   * What the Java worker gives an app: its jar and lib/ beside the worker's own Azure Functions
   * library.
   */
  private static URLClassLoader workerClassLoader() throws Exception {
    List<URL> urls = new ArrayList<>();
    urls.add(functionsJar().toUri().toURL());
    for (Path lib : libraries()) urls.add(lib.toUri().toURL());
    urls.add(
        FunctionName.class
            .getProtectionDomain()
            .getCodeSource()
            .getLocation()); // azure-functions-java-library
    urls.add(
        ExecutionContext.class
            .getProtectionDomain()
            .getCodeSource()
            .getLocation()); // azure-functions-java-core-library
    return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
  }

  private static Class<?> load(ClassLoader loader, Class<?> type) {
    if (type.isPrimitive()) return type;
    try {
      return Class.forName(type.getName(), false, loader);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(
          type.getName() + " is neither in the package nor in the worker's library", e);
    }
  }
}
