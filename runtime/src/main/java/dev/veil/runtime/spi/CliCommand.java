package dev.veil.runtime.spi;

import java.io.PrintStream;
import java.util.List;

/**
 * A {@code veil <name> ...} subcommand besides {@code start}, contributed by a module the runtime
 * does not import (e.g. {@code veil batch} from veil-functions). Listed in {@code
 * META-INF/services/dev.veil.runtime.spi.CliCommand}.
 */
public interface CliCommand {

  /** The word after {@code veil}, e.g. {@code batch}. */
  String name();

  /** One usage line, shown by {@code veil --help}. */
  String usage();

  /** Runs the command; the result is the process exit code (0 success, 2 bad arguments). */
  int run(List<String> args, PrintStream out, PrintStream err);
}
