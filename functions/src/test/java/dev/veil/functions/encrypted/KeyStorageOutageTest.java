package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpResponseMessage;
import dev.veil.functions.keys.BlobKeyStore;
import dev.veil.functions.keys.KeyCache;
import dev.veil.functions.keys.KeyLoadBudget;
import dev.veil.functions.keys.KeyLoadUnavailableException;
import dev.veil.functions.keys.KeyLoading;
import dev.veil.functions.keys.KeyRef;
import dev.veil.functions.keys.KeyStoreSettings;
import dev.veil.functions.keys.StorageBreaker;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.testkit.Azurite;
import dev.veil.testkit.ChildProcess;
import dev.veil.testkit.FreePorts;
import dev.veil.testkit.TempDirs;
import dev.veil.testkit.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Key storage that fails: a real Azurite killed under a serving cache, a socket that accepts and
 * never answers, a port with nothing listening. Uncached keys get 503 with Retry-After (not a hang,
 * not a 500), the breaker stops trying, and cached keys keep serving.
 */
class KeyStorageOutageTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final ExecutorService pools = Executors.newFixedThreadPool(4);
  private final List<AutoCloseable> closeAfter = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    pools.shutdownNow();
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
  }

  private static String connectionString(int port) {
    return "DefaultEndpointsProtocol=http;AccountName="
        + Azurite.ACCOUNT
        + ";AccountKey="
        + Azurite.ACCOUNT_KEY
        + ";BlobEndpoint=http://127.0.0.1:"
        + port
        + "/"
        + Azurite.ACCOUNT
        + ";";
  }

  private KeyCache<SealKeys> cache(SimpleMeterRegistry registry) {
    return new KeyCache<>(
        new SealKeysDecoder(64, 1L << 30),
        1L << 30,
        Duration.ofMinutes(5),
        new KeyLoading(
            pools,
            pools,
            4,
            KeyLoadBudget.unbounded(),
            Duration.ZERO,
            Duration.ZERO,
            Integer.MAX_VALUE),
        registry,
        "keys");
  }

  private static HttpResponseMessage post(
      EncryptedInference inference, String keyId, byte[] ciphertext) {
    return EncryptedHttp.evaluate(
        inference,
        new InProcessRequest(
            Map.of("container", "outage", "key_id", keyId),
            Map.of("content-type", "application/octet-stream"),
            ciphertext),
        Logger.getLogger("outage-test"));
  }

  @Test
  void killedAzurite503sUncachedKeysAndServesCachedOnes() throws Exception {
    Path dir = Files.createTempDirectory("veil-outage-azurite-");
    int port = FreePorts.next();
    ChildProcess azurite = Azurite.start(dir, port);
    closeAfter.add(
        () -> {
          azurite.kill();
          TempDirs.deleteQuietly(dir);
        });
    StorageBreaker breaker = new StorageBreaker(3, Duration.ofSeconds(30));
    BlobKeyStore store =
        BlobKeyStore.fromConnectionString(
            connectionString(port), 1L << 30, Duration.ofMillis(1500), breaker);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EncryptedInference inference =
        new EncryptedInference(
            EncryptedFunctionSpec.mnist(MnistLinearModel.bundled()),
            KeyStoreSettings.from(name -> null),
            store,
            cache(registry));
    JsonNode heParams = JSON.valueToTree(inference.heParams());
    EncryptedClient client = new EncryptedClient(heParams, null);
    store.upload(new KeyRef("outage", "cached"), client.keyBundle().encode());
    store.upload(new KeyRef("outage", "uncached"), client.keyBundle().encode());
    byte[] digit = client.encrypt(List.of(MnistDigits.testSplit().images()[0]));
    assertEquals(200, post(inference, "cached", digit).getStatusCode());

    azurite.kill();

    // Cached keys: served; the background checks fail and are counted.
    Waits.until(
        () -> {
          assertEquals(200, post(inference, "cached", digit).getStatusCode());
          return registry.get("veil.keys.unverified").counter().count() >= 1;
        },
        Duration.ofSeconds(30),
        "cached keys serve while the storage is down");
    // Uncached keys: 503 with Retry-After and a JSON error, until the breaker opens and answers at
    // once.
    for (int i = 0; i < 4; i++) {
      HttpResponseMessage res = post(inference, "uncached", digit);
      assertEquals(503, res.getStatusCode());
      assertNotNull(res.getHeader("Retry-After"));
      assertTrue(Integer.parseInt(res.getHeader("Retry-After")) >= 1);
      String error = JSON.readTree((String) res.getBody()).get("error").asText();
      assertTrue(error.contains("key storage is unavailable"), error);
    }
    assertTrue(breaker.isOpen(), "consecutive failures open the breaker");
    assertEquals(200, post(inference, "cached", digit).getStatusCode());
  }

  @Test
  void aStorageThatAcceptsAndNeverAnswersTimesOut() throws Exception {
    ServerSocket blackHole = new ServerSocket(0);
    List<Socket> held = new ArrayList<>();
    AtomicInteger accepted = new AtomicInteger();
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  held.add(blackHole.accept());
                  accepted.incrementAndGet();
                }
              } catch (IOException closed) {
                // test over
              }
            },
            "black-hole");
    acceptor.setDaemon(true);
    acceptor.start();
    closeAfter.add(
        () -> {
          blackHole.close();
          for (Socket s : held) {
            s.close();
          }
        });
    StorageBreaker breaker = new StorageBreaker(2, Duration.ofSeconds(30));
    BlobKeyStore store =
        BlobKeyStore.fromConnectionString(
            connectionString(blackHole.getLocalPort()), 1L << 30, Duration.ofMillis(500), breaker);
    KeyCache<SealKeys> cache = cache(new SimpleMeterRegistry());
    for (int i = 0; i < 2; i++) {
      // get() with a bound far above the timeout: without timeouts this would hang and fail here
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> cache.get(store, new KeyRef("outage", "any")).get(30, TimeUnit.SECONDS));
      assertInstanceOf(
          KeyLoadUnavailableException.class, e.getCause(), String.valueOf(e.getCause()));
    }
    // (the acceptor thread may be scheduled late on a loaded machine)
    Waits.until(
        () -> accepted.get() >= 1,
        Duration.ofSeconds(10),
        "the client connected to the black hole");
    assertTrue(breaker.isOpen());
    int connectionsBefore = accepted.get();
    CompletionException open =
        assertThrows(
            CompletionException.class,
            () -> cache.get(store, new KeyRef("outage", "other")).join());
    assertInstanceOf(KeyLoadUnavailableException.class, open.getCause());
    assertEquals(connectionsBefore, accepted.get(), "an open breaker does not touch the storage");
  }

  @Test
  void aPortWithNothingListeningIs503NotA500() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    BlobKeyStore store =
        BlobKeyStore.fromConnectionString(
            connectionString(port),
            1L << 30,
            Duration.ofMillis(500),
            new StorageBreaker(3, Duration.ofSeconds(30)));
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                cache(new SimpleMeterRegistry())
                    .get(store, new KeyRef("outage", "any"))
                    .get(30, TimeUnit.SECONDS));
    KeyLoadUnavailableException unavailable =
        assertInstanceOf(KeyLoadUnavailableException.class, e.getCause());
    assertTrue(
        unavailable.getMessage().contains("key storage is unavailable"), unavailable.getMessage());
    assertTrue(!unavailable.getMessage().contains(Azurite.ACCOUNT_KEY));
  }
}
