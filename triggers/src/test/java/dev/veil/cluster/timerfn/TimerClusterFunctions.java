package dev.veil.cluster.timerfn;

import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The timer that {@code TimerFailoverTest}'s host processes share. */
public class TimerClusterFunctions {

  /**
   * Appends "occurrence pid" (the occurrence: the even second it fired for) to {@code timer.log}
   * next to the hosts' blob log.
   */
  @FunctionName("tick")
  public void tick(@TimerTrigger(name = "timer", schedule = "*/2 * * * * *") String timer)
      throws IOException {
    long second = System.currentTimeMillis() / 1000;
    String line = (second - second % 2) + " " + ProcessHandle.current().pid() + "\n";
    Path log = Path.of(System.getenv("VEIL_TEST_BLOB_LOG")).resolveSibling("timer.log");
    Files.writeString(
        log,
        line,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND,
        StandardOpenOption.SYNC);
  }
}
