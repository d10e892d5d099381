package dev.veil.triggers.queue.crash;

import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in host processes by QueueCrashTest: appends each message it is called with to {@code
 * CRASH_LOG}.
 */
public class QueueCrashFunctions {
  @FunctionName("crashRecord")
  public void record(
      @QueueTrigger(name = "message", queueName = "%CrashQueue%", connection = "CrashStorage")
          String message)
      throws IOException {
    Files.writeString(
        Path.of(System.getenv("CRASH_LOG")),
        message + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
