package dev.veil.functions.batch;

import static dev.veil.functions.batch.BatchRunHosts.awaitEnd;
import static dev.veil.functions.batch.BatchRunHosts.csvInputs;
import static dev.veil.functions.batch.BatchRunHosts.member;
import static dev.veil.functions.batch.BatchRunHosts.request;
import static dev.veil.functions.batch.BatchRunHosts.run;
import static dev.veil.functions.batch.BatchRunHosts.submit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.batch.BatchRunHosts.Host;
import dev.veil.storage.BlobConflictException;
import dev.veil.storage.BlobNotFoundException;
import dev.veil.storage.BlobStore;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One batch run on three {@code veil start --cluster} JVMs sharing a storage folder: every member
 * scores some of its mini-batches; one member is SIGKILLed mid-run, and a claim abandoned as a
 * member dying mid-mini-batch leaves it (taken by the test, never released) lapses, so another
 * member scores that mini-batch. The run still succeeds with every row in the outputs exactly once.
 */
class BatchRunClusterTest {
  private static final int FILES = 4;
  private static final int ROWS = 3000;
  private static final int MINI_BATCH = 25;
  private static final int MINI_BATCHES = FILES * ROWS / MINI_BATCH;

  @TempDir Path dir;

  @Test
  void aRunSpreadsOverTheMembersAndSurvivesAKilledOne() throws Exception {
    try (BatchRunHosts app = new BatchRunHosts(dir, List.of("-XX:TieredStopAtLevel=1")).start(3)) {
      Map<String, List<String>> expected = csvInputs(app.store, "spread/", FILES, ROWS, null);
      Host entry = app.hosts.get(0);
      String id = submit(entry, request("spread/", "spread-out/", MINI_BATCH));
      String abandoned = abandonAClaim(app.store, id);
      List<String> members = new ArrayList<>(); // each member's run service starts on the announce
      for (Host h : app.hosts) members.add(member(h));
      // Usually the host that took the POST coordinates, but another's resume tick may win the
      // run's lease first; the victim is a member that does not coordinate (killing the
      // coordinator costs the 60 s of its run lease, as BatchRunServiceTest's restart shows).
      JsonObject[] seen = {null};
      Waits.until(
          () -> {
            try {
              seen[0] = run(entry, id);
            } catch (IOException e) {
              return false;
            }
            return seen[0].containsKey("coordinator");
          },
          Duration.ofSeconds(30),
          "the run to be planned");
      int v = members.get(2).equals(seen[0].getString("coordinator")) ? 1 : 2;
      Host victim = app.hosts.get(v);
      // the victim dies once it has recorded a few mini-batches, while the run goes on
      Waits.until(
          () -> {
            try {
              seen[0] = run(entry, id);
            } catch (IOException e) {
              return false;
            }
            return !seen[0].getString("status").equals("running")
                || seen[0].getJsonObject("members", new JsonObject()).getInteger(members.get(v), 0)
                    >= 3;
          },
          Duration.ofSeconds(90),
          victim.name() + " to score mini-batches");
      assertEquals("running", seen[0].getString("status"), seen[0].encodePrettily());
      victim.process().kill();
      long killed = System.nanoTime();
      int doneAtKill = seen[0].getInteger("mini_batches_done");
      assertTrue(doneAtKill < MINI_BATCHES, seen[0].encode());

      JsonObject done = awaitEnd(entry, id, Duration.ofMinutes(2));
      System.out.printf(
          "killed %s at %d of %d mini-batches; the run ended %.1f s later: %s%n",
          victim.name(),
          doneAtKill,
          MINI_BATCHES,
          (System.nanoTime() - killed) / 1e9,
          done.getJsonObject("members"));
      assertEquals("succeeded", done.getString("status"), done.encodePrettily());
      assertEquals(FILES * ROWS, done.getInteger("rows_done"));
      assertEquals(MINI_BATCHES, done.getInteger("mini_batches_done"));
      assertEquals(0, done.getInteger("errors"));
      JsonObject byMember = done.getJsonObject("members");
      int sum = 0;
      for (String m : members) {
        int n = byMember.getInteger(m, 0);
        assertTrue(n > 0, m + " scored no mini-batch: " + byMember.encode());
        sum += n;
      }
      assertEquals(MINI_BATCHES, sum, byMember.encode());
      assertEquals(members.size(), byMember.size(), byMember.encode());

      // every row exactly once, in order, with the model's prediction, in both output forms
      List<String> seed = text(app, "spread-out/parallel_run_step.txt").lines().toList();
      List<String> want = new ArrayList<>();
      for (int f = 0; f < FILES; f++) {
        String name = "spread/part-" + f + ".csv";
        for (String p : expected.get(name)) want.add(name + ":" + p);
        List<String> lines =
            text(app, "spread-out/" + name + ".predictions.jsonl").lines().toList();
        assertEquals(ROWS, lines.size(), name);
        for (int r = 0; r < ROWS; r++) {
          JsonObject line = new JsonObject(lines.get(r));
          assertEquals(r + 1, line.getInteger("row"), name + " " + line);
          assertEquals(expected.get(name).get(r), String.valueOf(line.getInteger("prediction")));
        }
      }
      assertEquals(want, seed);
      assertTrue(
          app.store.properties("veil-batch-runs", abandoned).size() > 0,
          "the abandoned mini-batch was scored by another member");
    }
  }

  /**
   * Takes the claim of one mini-batch not yet recorded, as a member that dies in the middle of it
   * leaves it (never released; it lapses after 15 s); its record's name.
   */
  private static String abandonAClaim(BlobStore store, String id) {
    for (int n = ROWS / MINI_BATCH - 1; n >= 0; n--) {
      String claim = id + "/claims/" + (FILES - 1) + "/" + n;
      try {
        store.write("veil-batch-runs", claim, new byte[0], BlobStore.Conditions.ifNotExists());
      } catch (BlobConflictException e) {
        // a member made it
      }
      if (store.acquireLease("veil-batch-runs", claim, BlobStore.MIN_LEASE).isEmpty()) continue;
      String record = id + "/batches/" + (FILES - 1) + "/" + n;
      try {
        store.properties("veil-batch-runs", record);
      } catch (BlobNotFoundException e) {
        return record; // claimed before anyone recorded it: only a lapse lets another member in
      }
    }
    throw new AssertionError("every mini-batch of the last file was scored already");
  }

  private static String text(BatchRunHosts app, String name) {
    return new String(app.store.read(BatchRunHosts.OUTPUT, name), StandardCharsets.UTF_8);
  }
}
