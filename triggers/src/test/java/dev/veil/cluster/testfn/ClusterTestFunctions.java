package dev.veil.cluster.testfn;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.BlobTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.runtime.spi.AffinityKey;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Functions the cluster tests run in each host process. {@code keyed} stands in for an encrypted
 * function: it keeps a per-process cache of key_ids and "downloads" a missing one by appending to a
 * shared store log (the file named by {@code VEIL_TEST_STORE_LOG}), so the test counts downloads at
 * the store. {@code drops} runs for each blob in the shared local blob store's {@code drops}
 * container. {@code hold} stays in flight until the file named by {@code VEIL_TEST_RELEASE} exists.
 * {@code whoami} and {@code hold} are placed by a {@code key_id} query parameter, {@code keyed} by
 * its JSON body's {@code key_id}.
 */
public final class ClusterTestFunctions {
  private static final Set<String> CACHE = ConcurrentHashMap.newKeySet();

  @FunctionName("whoami")
  @AffinityKey("query:key_id")
  public String whoami(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<String> request) {
    return Long.toString(ProcessHandle.current().pid());
  }

  @FunctionName("hold")
  @AffinityKey("query:key_id")
  public String hold(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<String> request)
      throws InterruptedException {
    Path release = Path.of(System.getenv("VEIL_TEST_RELEASE"));
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (!Files.exists(release) && System.nanoTime() < deadline) Thread.sleep(20);
    return Long.toString(ProcessHandle.current().pid());
  }

  @FunctionName("keyed")
  @AffinityKey("json:key_id")
  public String keyed(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.ANONYMOUS)
          String body) {
    String keyId = new JsonObject(body).getString("key_id");
    if (keyId == null) throw new IllegalArgumentException("key_id is missing");
    if (CACHE.add(keyId)) download(keyId);
    return new JsonObject().put("key_id", keyId).put("pid", ProcessHandle.current().pid()).encode();
  }

  /** Records each dropped blob it processed in the file named by {@code VEIL_TEST_BLOB_LOG}. */
  @FunctionName("drops")
  public void drops(
      @BlobTrigger(name = "content", path = "drops/{name}", dataType = "binary") byte[] content,
      @BindingName("name") String name) {
    append("VEIL_TEST_BLOB_LOG", name);
  }

  private static void download(String keyId) {
    append("VEIL_TEST_STORE_LOG", keyId);
  }

  private static synchronized void append(String fileSetting, String what) {
    try {
      Files.writeString(
          Path.of(System.getenv(fileSetting)),
          what + " " + ProcessHandle.current().pid() + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
