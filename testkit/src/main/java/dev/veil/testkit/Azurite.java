package dev.veil.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Azurite's blob service (the Azure Storage emulator, from npm: {@code testkit/node}) on 127.0.0.1.
 *
 * <p>Tests call {@link #connectionString()}: if {@code VEIL_TEST_AZURITE} is set to a blob endpoint
 * ({@code http://127.0.0.1:PORT/devstoreaccount1}; scripts/test.sh starts one for the whole run)
 * that one is used; otherwise one is started lazily, once per JVM, and stopped when the JVM exits.
 */
public final class Azurite {
  public static final String ENV = "VEIL_TEST_AZURITE";

  /** Azurite's fixed development account; its key is public and documented, not a secret. */
  public static final String ACCOUNT = "devstoreaccount1";

  public static final String ACCOUNT_KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  private static String endpoint;

  // ---- queue service (issue 19) ----
  /**
   * A running Azurite queue service's endpoint ({@code http://127.0.0.1:PORT/devstoreaccount1});
   * scripts/test.sh sets it.
   */
  public static final String QUEUE_ENV = "VEIL_TEST_AZURITE_QUEUE";

  private static String queueEndpoint;

  /** A storage connection string for the shared Azurite's blob and queue services. */
  public static String connectionStringWithQueues() {
    return connectionString() + "QueueEndpoint=" + queueEndpoint() + ";";
  }

  /**
   * The queue endpoint of the shared Azurite: {@link #QUEUE_ENV}, or a queue service started once
   * per JVM.
   */
  public static synchronized String queueEndpoint() {
    if (queueEndpoint == null) {
      String fromEnv = System.getenv(QUEUE_ENV);
      if (fromEnv != null && !fromEnv.isBlank()) {
        queueEndpoint = fromEnv.trim();
      } else {
        Path dir = KafkaBroker.tempDir("veil-azurite-queue-");
        Path bin = findBinary().resolveSibling("azurite-queue");
        ChildProcess azurite =
            ChildProcess.command(
                "azurite-queue",
                List.of(
                    bin.toString(),
                    "--queueHost",
                    "127.0.0.1",
                    "--queuePort",
                    Integer.toString(FreePorts.next()),
                    "--skipApiVersionCheck",
                    "--loose",
                    "--inMemoryPersistence"),
                Map.of(),
                dir.resolve("azurite.log"));
        azurite.awaitLog(line -> line.contains("successfully listens on"), Duration.ofSeconds(60));
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      azurite.stop(Duration.ofSeconds(5));
                      TempDirs.deleteQuietly(dir);
                    },
                    "stop-azurite-queue"));
        queueEndpoint = endpointOf(azurite);
      }
    }
    return queueEndpoint;
  }

  // ---- end queue service ----

  private Azurite() {}

  /** A storage connection string for the shared Azurite. */
  public static String connectionString() {
    return "DefaultEndpointsProtocol=http;AccountName="
        + ACCOUNT
        + ";AccountKey="
        + ACCOUNT_KEY
        + ";BlobEndpoint="
        + blobEndpoint()
        + ";";
  }

  /**
   * The blob endpoint of the shared Azurite, e.g. {@code http://127.0.0.1:10000/devstoreaccount1}.
   */
  public static synchronized String blobEndpoint() {
    if (endpoint == null) {
      String fromEnv = System.getenv(ENV);
      if (fromEnv != null && !fromEnv.isBlank()) {
        endpoint = fromEnv.trim();
      } else {
        Path dir = KafkaBroker.tempDir("veil-azurite-");
        ChildProcess azurite = start(dir, FreePorts.next());
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      azurite.stop(Duration.ofSeconds(5));
                      TempDirs.deleteQuietly(dir);
                    },
                    "stop-azurite"));
        endpoint = endpointOf(azurite);
      }
    }
    return endpoint;
  }

  /** Starts Azurite's blob service with its data in {@code dir} and waits until it listens. */
  public static ChildProcess start(Path dir, int port) {
    Path bin = findBinary();
    ChildProcess azurite =
        ChildProcess.command(
            "azurite",
            List.of(
                bin.toString(),
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                Integer.toString(port),
                "--location",
                dir.toString(),
                "--skipApiVersionCheck",
                "--loose"),
            Map.of(),
            dir.resolve("azurite.log"));
    azurite.awaitLog(line -> line.contains("successfully listens on"), Duration.ofSeconds(60));
    return azurite;
  }

  private static String endpointOf(ChildProcess azurite) {
    for (String line : azurite.logLines()) {
      int at = line.indexOf("http://127.0.0.1:");
      if (at >= 0) {
        return line.substring(at).trim() + "/" + ACCOUNT;
      }
    }
    throw new IllegalStateException("Azurite did not print its address:\n" + azurite.tail());
  }

  /**
   * {@code testkit/node/node_modules/.bin/azurite-blob}, found from the working directory upwards.
   */
  static Path findBinary() {
    Path relative = Path.of("testkit", "node", "node_modules", ".bin", "azurite-blob");
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isExecutable(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(
        "azurite-blob not found under testkit/node/node_modules: run scripts/setup.sh "
            + "(it runs npm ci in testkit/node), or set "
            + ENV
            + " to a running Azurite's blob endpoint");
  }
}
