package dev.veil.triggers.kafka.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.KafkaBroker;
import dev.veil.testkit.TestPki;
import dev.veil.testkit.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka extension's security settings against a real KRaft broker with SASL_SSL (PLAIN,
 * SCRAM-SHA-256, SCRAM-SHA-512) and SSL (client certificates required) listeners, certificates and
 * users made here. The functions reach the broker only through the secured listeners; the test
 * feeds and reads through PLAINTEXT.
 */
class SecureKafkaTest {
  private static final String KEY_PASSWORD = "key-pass-1";
  @TempDir static Path dir;
  private static KafkaBroker broker;
  private static VeilHost host;

  @BeforeAll
  static void start() throws Exception {
    TestPki.Issued ca = TestPki.authority("veil-kafka-test-ca");
    TestPki.Issued server = TestPki.issue(ca, "localhost", TestPki.KeyType.EC);
    TestPki.Issued client = TestPki.issue(ca, "veil-client", TestPki.KeyType.RSA);
    Path caFile = TestPki.write(dir.resolve("pki/ca.pem"), TestPki.pem(ca.certificate()));
    broker =
        KafkaBroker.startSecured(
            dir.resolve("broker"),
            new KafkaBroker.Security(
                server.writeKeyAndChain(dir.resolve("pki/server.pem")),
                caFile,
                Map.of("alice", "alice-secret"),
                Map.of("bob", "bob-\"secret\"")));
    host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .dataDirectory(dir.resolve("host"))
                    .functionClass(SecureFunctions.class)
                    .setting("SaslBrokers", broker.bootstrap("SASL_SSL"))
                    .setting("SslBrokers", broker.bootstrap("SSL"))
                    .setting("SecureIn", "secure-in")
                    .setting("SecureMid", "secure-mid")
                    .setting("SecureOut", "secure-out")
                    .setting("PlainUser", "alice")
                    .setting("PlainPassword", "alice-secret")
                    .setting("ScramUser", "bob")
                    .setting("ScramPassword", "bob-\"secret\"")
                    .setting("CaFile", caFile.toString())
                    .setting(
                        "ClientCert", client.writeChain(dir.resolve("pki/client.pem")).toString())
                    .setting(
                        "ClientKey",
                        client
                            .writeEncryptedPkcs8Key(
                                dir.resolve("pki/client.key"), KEY_PASSWORD.toCharArray())
                            .toString())
                    .setting("ClientKeyPassword", KEY_PASSWORD))
            .toCompletionStage()
            .toCompletableFuture()
            .get(2, TimeUnit.MINUTES);
    assertEquals(Map.of(), host.disabledFunctions());
  }

  @AfterAll
  static void stop() throws Exception {
    if (host != null)
      host.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
    if (broker != null) broker.close();
  }

  @Test
  void recordsFlowThroughEverySecuredListenerAndAvroBothWays() throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < 5; i++)
        producer.send(new ProducerRecord<>("secure-in", "k" + i, "value-" + i)).get();
    }
    Waits.until(
        () -> SecureFunctions.PAYMENTS.size() >= 5,
        Duration.ofSeconds(60),
        "five payments through the chain");
    Set<String> expected = new TreeSet<>();
    for (int i = 0; i < 5; i++) expected.add("k" + i + "/value-" + i + "/7.0");
    assertEquals(expected, new TreeSet<>(SecureFunctions.PAYMENTS));

    // what the SCRAM-SHA-256 output wrote is an Avro record in the Confluent wire format, as Avro
    // itself reads it
    Schema schema = new Schema.Parser().parse(SecureFunctions.PAYMENT);
    Properties consumer = new Properties();
    consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "secure-reader");
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<GenericRecord> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> reader =
        new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      reader.subscribe(List.of("secure-out"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.size() < 5 && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
          byte[] v = r.value();
          assertEquals(0, v[0], "magic byte");
          records.add(
              new GenericDatumReader<GenericRecord>(schema)
                  .read(null, DecoderFactory.get().binaryDecoder(v, 5, v.length - 5, null)));
        }
      }
    }
    assertEquals(5, records.size());
    assertTrue(
        records.stream()
            .anyMatch(
                r ->
                    r.get("id").toString().equals("k3")
                        && r.get("type").toString().equals("value-3")));
  }

  @Test
  void theSaslListenerRefusesAWrongPassword() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap("SASL_SSL"));
    props.put("security.protocol", "SASL_SSL");
    props.put("sasl.mechanism", "PLAIN");
    props.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"wrong\";");
    props.put("ssl.truststore.type", "PEM");
    props.put("ssl.truststore.location", dir.resolve("pki/ca.pem").toString());
    try (Admin admin = Admin.create(props)) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
      assertInstanceOf(SaslAuthenticationException.class, e.getCause());
    }
  }
}
