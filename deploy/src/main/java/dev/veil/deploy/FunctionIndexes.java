package dev.veil.deploy;

import dev.veil.runtime.host.FunctionIndex;
import java.nio.file.Path;
import java.util.List;

/**
 * The package step that writes a function index ({@value FunctionIndex#PATH}) into each packaged
 * jar, so that a host started from it reads the index instead of scanning the jar's classes.
 *
 * <p>{@code java dev.veil.deploy.FunctionIndexes <jar>...} (the build runs it on {@code veil.jar};
 * {@link AzurePackage} indexes the app jar it packages).
 */
public final class FunctionIndexes {
  private FunctionIndexes() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) throw new IllegalArgumentException("usage: FunctionIndexes <jar>...");
    for (String arg : args) {
      Path jar = Path.of(arg);
      List<String> classes = FunctionIndex.write(jar);
      System.out.println(
          "function index of " + jar + ": " + classes.size() + " class(es) with functions");
    }
  }
}
