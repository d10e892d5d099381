package dev.veil.functions.smpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.smpc.Mlp;
import dev.veil.smpc.SharedMlp;
import dev.veil.testkit.Azurite;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code veil smpc share-model} writing each party's share to its own store: a folder and a real
 * blob container.
 */
class ShareStoreTest {

  @Test
  void shareModelWritesOneShareToEachPartysStore(@TempDir Path dir) throws Exception {
    String conn = Azurite.connectionString();
    String container = "smpc-party1-" + System.nanoTime();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        new SmpcCli()
            .run(
                List.of(
                    "share-model",
                    "--model",
                    "breast-cancer",
                    "--party0",
                    dir.toString(),
                    "--party1",
                    "blob:" + container,
                    "--connection1",
                    conn,
                    "--provider",
                    dir.resolve("provider").toString()),
                new PrintStream(out),
                System.err);
    assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
    List<SharedMlp> local = new ShareStore.Local(dir).all();
    List<SharedMlp> blob = new ShareStore.Blob(conn, container).all();
    assertEquals(1, local.size());
    assertEquals(1, blob.size());
    assertEquals(0, local.get(0).party());
    assertEquals(1, blob.get(0).party());
    assertEquals(local.get(0).version(), blob.get(0).version());
    // the owner's two halves give the model back; each store alone holds one half only
    Mlp back = SharedMlp.reconstruct(local.get(0), blob.get(0));
    Mlp model = SmpcModels.breastCancer();
    double[] z = new double[30];
    java.util.Arrays.fill(z, 0.3);
    double[] expected = model.scores(z), got = back.scores(z);
    for (int k = 0; k < 2; k++) assertEquals(expected[k], got[k], 1e-3);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("blob container " + container));
    // the provider's store holds the masks of this split only: no masked weights, so nothing of W
    var masks = new ShareStore.Local(dir.resolve("provider")).allMasks();
    assertEquals(1, masks.size());
    assertEquals(local.get(0).version(), masks.get(0).version());
    assertTrue(new ShareStore.Local(dir.resolve("provider")).all().isEmpty());
  }

  @Test
  void badArgumentsNameTheProblem(@TempDir Path dir) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(
        2,
        new SmpcCli()
            .run(
                List.of(
                    "share-model",
                    "--model",
                    "mnist-mlp",
                    "--party0",
                    dir.toString(),
                    "--party1",
                    "blob:c",
                    "--provider",
                    dir.toString()),
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err)));
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("needs --connection1"),
        err.toString(StandardCharsets.UTF_8));
    err.reset();
    assertEquals(
        2,
        new SmpcCli()
            .run(
                List.of(
                    "share-model",
                    "--model",
                    "nope",
                    "--party0",
                    "a",
                    "--party1",
                    "b",
                    "--provider",
                    "c"),
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err)));
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("no model 'nope'"),
        err.toString(StandardCharsets.UTF_8));
    err.reset();
    assertEquals(
        2,
        new SmpcCli()
            .run(
                List.of("predict", "--party0", "http://x"),
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err)));
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("name an input"),
        err.toString(StandardCharsets.UTF_8));
  }
}
