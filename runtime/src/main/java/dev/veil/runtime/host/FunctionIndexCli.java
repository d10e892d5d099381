package dev.veil.runtime.host;

import dev.veil.runtime.spi.CliCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code veil index APP.jar|CLASSES-DIR ...}: writes the function index into an app built outside
 * Veil's own packaging (e.g. by azure-functions-maven-plugin), so {@code veil start --functions}
 * reads it instead of scanning the jar at every start. Run it again whenever the app is rebuilt.
 */
public final class FunctionIndexCli implements CliCommand {
  @Override
  public String name() {
    return "index";
  }

  @Override
  public String usage() {
    return "veil index JAR|CLASS-FOLDER ...  (writes " + FunctionIndex.PATH + " into each)";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty()) {
      err.println("veil index: name at least one jar or class folder\nusage: " + usage());
      return 2;
    }
    for (String arg : args) {
      Path root = Path.of(arg);
      if (!Files.isDirectory(root) && !(Files.isRegularFile(root) && arg.endsWith(".jar"))) {
        err.println("veil index: " + arg + " is neither a jar nor a folder");
        return 2;
      }
      try {
        List<String> classes = FunctionIndex.write(root);
        out.println(root + ": " + classes.size() + " class(es) with functions indexed");
      } catch (IOException e) {
        err.println("veil index: cannot index " + arg + ": " + e.getMessage());
        return 1;
      }
    }
    return 0;
  }
}
