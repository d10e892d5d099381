package dev.veil.deploy;

import dev.veil.runtime.host.FunctionIndexCli;
import java.util.List;

/**
 * The package step that writes a function index into veil.jar ({@code veil index}, run by the build
 * in Maven's JVM, so without {@code veil}'s exit), so that a host started from it reads the index
 * instead of scanning the jar's classes. {@link AzurePackage} indexes the app jar it packages.
 */
public final class FunctionIndexes {
  private FunctionIndexes() {}

  public static void main(String[] args) {
    if (new FunctionIndexCli().run(List.of(args), System.out, System.err) != 0)
      throw new IllegalStateException("the function index was not written");
  }
}
