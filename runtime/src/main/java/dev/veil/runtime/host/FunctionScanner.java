package dev.veil.runtime.host;

import com.microsoft.azure.functions.annotation.CustomBinding;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.FunctionParameter;
import dev.veil.runtime.spi.RetryPolicy;
import io.vertx.core.json.JsonArray;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds functions: public methods annotated {@code @FunctionName} with exactly one
 * trigger-annotated parameter. Class files are searched for the {@code @FunctionName} descriptor
 * before a class is loaded, so scanning a fat jar does not load (or initialize) thousands of
 * library classes.
 */
public final class FunctionScanner {
  private static final Logger LOG = LoggerFactory.getLogger(FunctionScanner.class);
  private static final byte[] MARKER =
      ("L" + FunctionName.class.getName().replace('.', '/') + ";").getBytes(StandardCharsets.UTF_8);
  private static final String AZURE_ANNOTATIONS = FunctionName.class.getPackageName();

  private final ClassLoader loader;
  private final Set<Class<? extends Annotation>> triggerAnnotations;
  private final Set<Class<? extends Annotation>> bindingAnnotations;
  private final List<UnservedFunction> unserved = new ArrayList<>();

  /**
   * @param triggerAnnotations trigger annotations that providers handle; besides these, every
   *     {@code com.microsoft.azure.functions.annotation.*Trigger} counts as a trigger
   * @param bindingAnnotations binding annotations that providers handle; on a method they bind the
   *     return value, as do the Azure library's binding annotations
   */
  public FunctionScanner(
      ClassLoader loader,
      Set<Class<? extends Annotation>> triggerAnnotations,
      Set<Class<? extends Annotation>> bindingAnnotations) {
    this.loader = loader;
    this.triggerAnnotations = Set.copyOf(triggerAnnotations);
    this.bindingAnnotations = Set.copyOf(bindingAnnotations);
  }

  /**
   * Functions in the given class folders / jars whose class is in one of {@code packages} (all when
   * empty).
   */
  public List<FunctionDefinition> scan(List<Path> roots, List<String> packages) throws IOException {
    return definitions(candidates(roots, packages));
  }

  /**
   * Classes in the given folders / jars (restricted to {@code packages} unless empty) that mention
   * {@code @FunctionName}: those their {@link FunctionIndex} lists, else those a scan finds.
   *
   * @throws IllegalStateException when an index names a class that cannot be found (a stale index
   *     would otherwise drop functions without a word)
   */
  public List<Class<?>> candidates(List<Path> roots, List<String> packages) throws IOException {
    Predicate<String> wanted =
        className ->
            packages.isEmpty() || packages.stream().anyMatch(p -> className.startsWith(p + "."));
    List<String> classNames = new ArrayList<>();
    Map<String, Path> indexedIn = new HashMap<>();
    for (Path root : roots) {
      List<String> indexed = FunctionIndex.read(root);
      if (indexed != null) {
        for (String name : indexed) {
          if (!wanted.test(name)) continue;
          classNames.add(name);
          indexedIn.putIfAbsent(name, root);
        }
      } else if (Files.isDirectory(root)) {
        scanFolder(root, wanted, classNames);
      } else if (Files.isRegularFile(root) && root.toString().endsWith(".jar")) {
        scanJar(root, wanted, classNames);
      }
    }
    List<Class<?>> classes = new ArrayList<>();
    for (String name : classNames) {
      try {
        classes.add(Class.forName(name, false, loader));
      } catch (ClassNotFoundException
          | LinkageError e) { // e.g. its superclass comes from a library the app lacks
        if (e instanceof ClassNotFoundException && indexedIn.containsKey(name)) {
          throw new IllegalStateException(
              FunctionIndex.PATH
                  + " in "
                  + indexedIn.get(name)
                  + " lists "
                  + name
                  + ", which cannot be found: the index is stale; package the app again (or delete"
                  + " the index to have the host scan for functions)",
              e);
        }
        unserved.add(
            new UnservedFunction(
                name.substring(name.lastIndexOf('.') + 1),
                name,
                "its class cannot be loaded: " + e,
                new JsonArray()));
      }
    }
    return classes;
  }

  /** Classes in one jar or class folder that mention {@code @FunctionName}, found by a scan. */
  static List<String> markedClasses(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    if (Files.isDirectory(root)) scanFolder(root, name -> true, out);
    else scanJar(root, name -> true, out);
    return out;
  }

  /** The class path entries of this JVM ({@code java.class.path}). */
  public static List<Path> classPath() {
    return Arrays.stream(System.getProperty("java.class.path", "").split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .toList();
  }

  /**
   * Functions declared by the given classes, sorted by name; duplicate names are an error.
   * Functions that cannot be defined (see {@link #unserved()}) are left out rather than failing the
   * whole app.
   */
  public List<FunctionDefinition> definitions(Collection<Class<?>> classes) {
    Map<String, FunctionDefinition> byName = new HashMap<>();
    for (Class<?> type : new LinkedHashSet<>(classes)) {
      if (!Modifier.isPublic(type.getModifiers())) continue;
      Method[] methods;
      try {
        methods = type.getMethods();
      } catch (LinkageError
          | TypeNotPresentException e) { // a signature names a class the app does not ship
        unserved.add(
            new UnservedFunction(
                type.getSimpleName(),
                type.getName(),
                "its class cannot be read: " + e,
                new JsonArray()));
        continue;
      }
      for (Method method : methods) {
        FunctionName name = method.getAnnotation(FunctionName.class);
        if (name == null) continue;
        FunctionDefinition def;
        try {
          def = define(name.value(), method);
        } catch (LinkageError
            | TypeNotPresentException e) { // a parameter type the app does not ship
          unserved.add(
              new UnservedFunction(
                  name.value(),
                  describe(method),
                  "its parameters cannot be read: " + e,
                  new JsonArray()));
          continue;
        }
        if (def == null) continue;
        FunctionDefinition previous = byName.putIfAbsent(def.name(), def);
        if (previous != null && !previous.method().equals(method)) {
          throw new IllegalStateException(
              "function name '"
                  + def.name()
                  + "' is used by both "
                  + describe(previous.method())
                  + " and "
                  + describe(method));
        }
      }
    }
    return byName.values().stream().sorted(Comparator.comparing(FunctionDefinition::name)).toList();
  }

  private FunctionDefinition define(String name, Method method) {
    if (name.isBlank())
      throw new IllegalStateException(describe(method) + ": @FunctionName is empty");
    List<FunctionParameter> parameters = new ArrayList<>();
    FunctionParameter triggerParameter = null;
    Annotation trigger = null;
    Parameter[] declared = method.getParameters();
    for (int i = 0; i < declared.length; i++) {
      FunctionParameter p =
          new FunctionParameter(
              i,
              declared[i].getName(),
              declared[i].getParameterizedType(),
              List.of(declared[i].getAnnotations()));
      parameters.add(p);
      for (Annotation a : p.annotations()) {
        if (!isTrigger(a)) continue;
        if (trigger != null) return unserved(name, method, "it has more than one trigger");
        trigger = a;
        triggerParameter = p;
      }
    }
    if (trigger == null) {
      return unserved(
          name,
          method,
          "no parameter carries a trigger annotation that can be read"
              + " (is the library that defines its trigger missing from the app?)");
    }
    List<Annotation> returnBindings =
        Arrays.stream(method.getAnnotations()).filter(this::bindsReturnValue).toList();
    RetryPolicy retry = RetryPolicy.of(method);
    if (retry.maxRetryCount() != 0 && trigger instanceof HttpTrigger) {
      // Azure applies retry policies to Timer, Kafka, Event Hubs and Cosmos DB triggers only; an
      // HTTP caller retries itself.
      LOG.warn(
          "function '{}': its retry annotation is not applied: Azure Functions does not retry HTTP-triggered"
              + " functions",
          name);
      retry = RetryPolicy.NONE;
    }
    return new FunctionDefinition(
        name,
        method.getDeclaringClass(),
        method,
        trigger,
        triggerParameter,
        parameters,
        returnBindings,
        retry);
  }

  /** Functions found by {@link #definitions} that cannot be defined, in the order found. */
  public List<UnservedFunction> unserved() {
    return List.copyOf(unserved);
  }

  private FunctionDefinition unserved(String name, Method method, String reason) {
    unserved.add(
        new UnservedFunction(name, describe(method), reason, BindingDescriptions.of(method)));
    return null;
  }

  private boolean isTrigger(Annotation a) {
    Class<? extends Annotation> type = a.annotationType();
    if (triggerAnnotations.contains(type)) return true;
    if (type.getPackageName().equals(AZURE_ANNOTATIONS) && type.getSimpleName().endsWith("Trigger"))
      return true;
    // Triggers from other libraries (Durable Functions, SQL, Dapr) declare themselves with
    // @CustomBinding.
    CustomBinding custom =
        a instanceof CustomBinding c ? c : type.getAnnotation(CustomBinding.class);
    return custom != null && custom.type().toLowerCase(Locale.ROOT).endsWith("trigger");
  }

  // Azure's method-level annotations that are not bindings: naming, retry and storage-account
  // metadata.
  private boolean bindsReturnValue(Annotation a) {
    if (bindingAnnotations.contains(a.annotationType())) return true;
    if (a instanceof CustomBinding || a.annotationType().isAnnotationPresent(CustomBinding.class))
      return true;
    if (!a.annotationType().getPackageName().equals(AZURE_ANNOTATIONS)) return false;
    return switch (a.annotationType().getSimpleName()) {
      case "FunctionName",
          "FixedDelayRetry",
          "ExponentialBackoffRetry",
          "StorageAccount",
          "Cardinality" ->
          false;
      default -> true;
    };
  }

  private static String describe(Method m) {
    return m.getDeclaringClass().getName() + "#" + m.getName();
  }

  private static void scanFolder(Path root, Predicate<String> wanted, List<String> out)
      throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file :
          (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String className =
            className(root.relativize(file).toString().replace(File.separatorChar, '/'));
        if (className != null && wanted.test(className) && containsMarker(Files.readAllBytes(file)))
          out.add(className);
      }
    }
  }

  private static void scanJar(Path jar, Predicate<String> wanted, List<String> out)
      throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        String className = className(entry.getName());
        if (className == null || !wanted.test(className)) continue;
        try (InputStream in = file.getInputStream(entry)) {
          if (containsMarker(in.readAllBytes())) out.add(className);
        }
      }
    }
  }

  private static String className(String path) {
    if (!path.endsWith(".class")
        || path.endsWith("module-info.class")
        || path.startsWith("META-INF/")) return null;
    return path.substring(0, path.length() - ".class".length()).replace('/', '.');
  }

  private static boolean containsMarker(byte[] bytes) {
    outer:
    for (int i = 0; i <= bytes.length - MARKER.length; i++) {
      for (int j = 0; j < MARKER.length; j++) {
        if (bytes[i + j] != MARKER[j]) continue outer;
      }
      return true;
    }
    return false;
  }
}
