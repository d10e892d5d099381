package dev.veil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker in KRaft mode (one process acting as broker and controller) on
 * 127.0.0.1, run from the {@code kafka_2.13} jars in its own JVM.
 *
 * <p>Tests call {@link #bootstrap()}: if {@code VEIL_TEST_KAFKA} is set (scripts/test.sh starts one
 * broker for the whole run) that broker is used; otherwise one is started lazily, once per JVM, and
 * stopped when the JVM exits. {@link #main} runs one in the foreground for users
 * (scripts/kafka.sh).
 */
public final class KafkaBroker implements AutoCloseable {
  public static final String ENV = "VEIL_TEST_KAFKA";

  private static String shared;

  private final ChildProcess process;
  private final String bootstrap;
  private final Path dir;
  private final Map<String, String> secured;

  private KafkaBroker(
      ChildProcess process, String bootstrap, Path dir, Map<String, String> secured) {
    this.process = process;
    this.bootstrap = bootstrap;
    this.dir = dir;
    this.secured = secured;
  }

  /**
   * Secured listeners besides the PLAINTEXT one: {@code SASL_SSL} (PLAIN users from the JAAS
   * configuration, SCRAM-SHA-256 / SCRAM-SHA-512 users stored when the log dir is formatted) and
   * {@code SSL} with client certificates required.
   *
   * @param serverPem the broker's PKCS#8 key (unencrypted) and certificate chain, in one PEM file
   * @param caPem the authority that signs the broker's and the clients' certificates
   * @param plainUsers PLAIN user names and passwords
   * @param scramUsers SCRAM user names and passwords (for both SCRAM mechanisms)
   */
  public record Security(
      Path serverPem, Path caPem, Map<String, String> plainUsers, Map<String, String> scramUsers) {}

  /** Starts a broker with a PLAINTEXT, a SASL_SSL and an SSL listener (see {@link Security}). */
  public static KafkaBroker startSecured(Path dir, Security security) {
    return start(dir, 0, security);
  }

  /**
   * Bootstrap servers of a secured listener ({@code SASL_SSL} or {@code SSL}) of a broker from
   * {@link #startSecured}.
   */
  public String bootstrap(String securityProtocol) {
    return java.util.Objects.requireNonNull(
        secured.get(securityProtocol), "no " + securityProtocol + " listener");
  }

  /** Bootstrap servers of the broker shared by this test run. */
  public static synchronized String bootstrap() {
    if (shared == null) {
      String fromEnv = System.getenv(ENV);
      if (fromEnv != null && !fromEnv.isBlank()) {
        shared = fromEnv.trim();
      } else {
        KafkaBroker broker = start(tempDir("veil-kafka-"), 0);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "stop-kafka"));
        shared = broker.bootstrap;
      }
    }
    return shared;
  }

  /**
   * Formats {@code dir} (if new) and starts a broker on {@code port} (0: a free one), waiting until
   * it answers an admin request.
   */
  public static KafkaBroker start(Path dir, int port) {
    return start(dir, port, null);
  }

  private static KafkaBroker start(Path dir, int port, Security security) {
    int brokerPort = port == 0 ? FreePorts.next() : port;
    int controllerPort = FreePorts.next();
    Path logs = dir.resolve("data");
    Path config = dir.resolve("server.properties");
    Map<String, String> secured = new java.util.LinkedHashMap<>();
    StringBuilder securedConfig = new StringBuilder();
    if (security != null) {
      secured.put("SASL_SSL", "127.0.0.1:" + FreePorts.next());
      secured.put("SSL", "127.0.0.1:" + FreePorts.next());
      StringBuilder plain =
          new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
      security
          .plainUsers()
          .forEach(
              (user, password) ->
                  plain.append(" user_").append(user).append("=\"").append(password).append('"'));
      securedConfig.append(
          String.join(
              "\n",
              "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
              "listener.name.sasl_ssl.plain.sasl.jaas.config=" + plain + ";",
              "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
              "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
              "ssl.keystore.type=PEM",
              "ssl.keystore.location=" + security.serverPem().toAbsolutePath(),
              "ssl.truststore.type=PEM",
              "ssl.truststore.location=" + security.caPem().toAbsolutePath(),
              "listener.name.ssl.ssl.client.auth=required",
              ""));
    }
    String listeners =
        "PLAINTEXT://127.0.0.1:"
            + brokerPort
            + secured.entrySet().stream()
                .map(e -> "," + e.getKey() + "://" + e.getValue())
                .collect(java.util.stream.Collectors.joining());
    try {
      Files.createDirectories(dir);
      Files.writeString(
          config,
          String.join(
              "\n",
              "process.roles=broker,controller",
              "node.id=1",
              "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
              "listeners=" + listeners + ",CONTROLLER://127.0.0.1:" + controllerPort,
              "advertised.listeners=" + listeners,
              "controller.listener.names=CONTROLLER",
              "inter.broker.listener.name=PLAINTEXT",
              "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL",
              securedConfig.toString(),
              "log.dirs=" + logs,
              "num.partitions=1",
              "auto.create.topics.enable=true",
              // A single node: every internal topic has one replica, and groups form without the 3
              // s delay.
              "offsets.topic.replication.factor=1",
              "offsets.topic.num.partitions=4",
              "transaction.state.log.replication.factor=1",
              "transaction.state.log.min.isr=1",
              "share.coordinator.state.topic.replication.factor=1",
              "share.coordinator.state.topic.min.isr=1",
              "group.initial.rebalance.delay.ms=0",
              ""));
      Files.writeString(
          dir.resolve("log4j2.properties"),
          String.join(
              "\n",
              "rootLogger.level=WARN",
              "rootLogger.appenderRef.out.ref=out",
              "appender.out.type=Console",
              "appender.out.name=out",
              "appender.out.layout.type=PatternLayout",
              "appender.out.layout.pattern=[%d] %p %m (%c)%n",
              "logger.server.name=kafka.server.KafkaRaftServer",
              "logger.server.level=INFO",
              ""));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Kafka configuration in " + dir, e);
    }
    List<String> jvm =
        List.of(
            "-Xms128m",
            "-Xmx768m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"));
    if (!Files.exists(logs.resolve("meta.properties"))) {
      List<String> format =
          new java.util.ArrayList<>(
              List.of(
                  "format",
                  "--cluster-id",
                  Uuid.randomUuid().toString(),
                  "--config",
                  config.toString()));
      if (security != null) {
        security
            .scramUsers()
            .forEach(
                (user, password) -> {
                  for (String mechanism : List.of("SCRAM-SHA-256", "SCRAM-SHA-512")) {
                    format.addAll(
                        List.of(
                            "--add-scram",
                            mechanism + "=[name=" + user + ",password=" + password + "]"));
                  }
                });
      }
      ChildProcess formatting =
          ChildProcess.java(
              "kafka-format",
              "kafka.tools.StorageTool",
              jvm,
              Map.of(),
              format,
              dir.resolve("format.log"));
      if (!formatting.waitFor(Duration.ofMinutes(2)) || formatting.stop(Duration.ZERO) != 0) {
        throw new IllegalStateException(
            "formatting the Kafka log dir failed:\n" + formatting.tail());
      }
    }
    ChildProcess broker =
        ChildProcess.java(
            "kafka",
            "kafka.Kafka",
            jvm,
            Map.of(),
            List.of(config.toString()),
            dir.resolve("broker.log"));
    String bootstrap = "127.0.0.1:" + brokerPort;
    awaitReady(broker, bootstrap, Duration.ofMinutes(2));
    return new KafkaBroker(broker, bootstrap, dir, Map.copyOf(secured));
  }

  private static void awaitReady(ChildProcess broker, String bootstrap, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = admin(bootstrap)) {
      while (true) {
        if (!broker.isAlive()) {
          throw new IllegalStateException(
              "the Kafka broker exited while starting:\n" + broker.tail());
        }
        try {
          admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() > deadline) {
            broker.kill();
            throw new IllegalStateException(
                "the Kafka broker did not answer within " + timeout + ":\n" + broker.tail());
          }
          ChildProcess.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** An admin client for {@code bootstrap}. */
  public static Admin admin(String bootstrap) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    return Admin.create(props);
  }

  /** Creates a topic with {@code partitions} partitions on the shared broker and waits for it. */
  public static void createTopic(String topic, int partitions) {
    try (Admin admin = admin(bootstrap())) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  @Override
  public void close() {
    process.stop(Duration.ofSeconds(15));
    TempDirs.deleteQuietly(dir);
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs a broker in the foreground until the JVM is stopped. Arguments: data directory (kept
   * across runs), broker port. Prints {@code bootstrap=HOST:PORT} when it is ready.
   */
  public static void main(String[] args) throws InterruptedException {
    Path dir = Path.of(args.length > 0 ? args[0] : ".veil/kafka").toAbsolutePath();
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 9092; // 0: a free port
    KafkaBroker broker = start(dir, port);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> broker.process.stop(Duration.ofSeconds(15))));
    System.out.println(
        "bootstrap="
            + broker.bootstrap
            + " (data in "
            + dir
            + ", log "
            + dir.resolve("broker.log")
            + ")");
    broker.process.waitFor(Duration.ofDays(365));
  }
}
