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
 * A real Apache Kafka broker in KRaft mode (one process acting as broker and controller) on 127.0.0.1,
 * run from the {@code kafka_2.13} jars in its own JVM.
 *
 * <p>Tests call {@link #bootstrap()}: if {@code VEIL_TEST_KAFKA} is set (scripts/test.sh starts one broker
 * for the whole run) that broker is used; otherwise one is started lazily, once per JVM, and stopped when the
 * JVM exits. {@link #main} runs one in the foreground for users (scripts/kafka.sh).
 */
public final class KafkaBroker implements AutoCloseable {
  public static final String ENV = "VEIL_TEST_KAFKA";

  private static String shared;

  private final ChildProcess process;
  private final String bootstrap;
  private final Path dir;

  private KafkaBroker(ChildProcess process, String bootstrap, Path dir) {
    this.process = process;
    this.bootstrap = bootstrap;
    this.dir = dir;
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
   * Formats {@code dir} (if new) and starts a broker on {@code port} (0: a free one), waiting until it
   * answers an admin request.
   */
  public static KafkaBroker start(Path dir, int port) {
    int brokerPort = port == 0 ? FreePorts.next() : port;
    int controllerPort = FreePorts.next();
    Path logs = dir.resolve("data");
    Path config = dir.resolve("server.properties");
    try {
      Files.createDirectories(dir);
      Files.writeString(config, String.join("\n",
          "process.roles=broker,controller",
          "node.id=1",
          "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
          "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
          "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
          "controller.listener.names=CONTROLLER",
          "inter.broker.listener.name=PLAINTEXT",
          "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
          "log.dirs=" + logs,
          "num.partitions=1",
          "auto.create.topics.enable=true",
          // A single node: every internal topic has one replica, and groups form without the 3 s delay.
          "offsets.topic.replication.factor=1",
          "offsets.topic.num.partitions=4",
          "transaction.state.log.replication.factor=1",
          "transaction.state.log.min.isr=1",
          "share.coordinator.state.topic.replication.factor=1",
          "share.coordinator.state.topic.min.isr=1",
          "group.initial.rebalance.delay.ms=0",
          "") );
      Files.writeString(dir.resolve("log4j2.properties"), String.join("\n",
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
    List<String> jvm = List.of("-Xms128m", "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"));
    if (!Files.exists(logs.resolve("meta.properties"))) {
      ChildProcess format = ChildProcess.java("kafka-format", "kafka.tools.StorageTool", jvm, Map.of(),
          List.of("format", "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toString()),
          dir.resolve("format.log"));
      if (!format.waitFor(Duration.ofMinutes(2)) || format.stop(Duration.ZERO) != 0) {
        throw new IllegalStateException("formatting the Kafka log dir failed:\n" + format.tail());
      }
    }
    ChildProcess broker = ChildProcess.java("kafka", "kafka.Kafka", jvm, Map.of(),
        List.of(config.toString()), dir.resolve("broker.log"));
    String bootstrap = "127.0.0.1:" + brokerPort;
    awaitReady(broker, bootstrap, Duration.ofMinutes(2));
    return new KafkaBroker(broker, bootstrap, dir);
  }

  private static void awaitReady(ChildProcess broker, String bootstrap, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = admin(bootstrap)) {
      while (true) {
        if (!broker.isAlive()) {
          throw new IllegalStateException("the Kafka broker exited while starting:\n" + broker.tail());
        }
        try {
          admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() > deadline) {
            broker.kill();
            throw new IllegalStateException("the Kafka broker did not answer within " + timeout + ":\n"
                + broker.tail());
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
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
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
   * Runs a broker in the foreground until the JVM is stopped. Arguments: data directory (kept across runs),
   * broker port. Prints {@code bootstrap=HOST:PORT} when it is ready.
   */
  public static void main(String[] args) throws InterruptedException {
    Path dir = Path.of(args.length > 0 ? args[0] : ".veil/kafka").toAbsolutePath();
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 9092; // 0: a free port
    KafkaBroker broker = start(dir, port);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> broker.process.stop(Duration.ofSeconds(15))));
    System.out.println("bootstrap=" + broker.bootstrap + " (data in " + dir + ", log " + dir.resolve("broker.log")
        + ")");
    broker.process.waitFor(Duration.ofDays(365));
  }
}
