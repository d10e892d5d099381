package dev.veil.runtime.host;

import dev.veil.runtime.cluster.ClusterMembership;
import dev.veil.runtime.spi.HttpErrors;
import dev.veil.runtime.spi.NodeReports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * {@code GET /admin/cluster}: every admitted member's own report (asked live on {@code
 * veil.cluster.info.<nodeId>}), members refused for a wrong secret, and the load view of the
 * answering node.
 */
public final class ClusterReport {
  private final Vertx vertx;
  private final ClusterMembership membership;
  private final IntSupplier localInFlight;
  private final NodeReports nodeReports;
  private MessageConsumer<JsonObject> consumer;

  /**
   * @param nodeReports the host's own reports (e.g. its accelerator pools), added to this node's
   *     entry
   */
  public ClusterReport(
      Vertx vertx,
      ClusterMembership membership,
      IntSupplier localInFlight,
      NodeReports nodeReports) {
    this.vertx = vertx;
    this.membership = membership;
    this.localInFlight = localInFlight;
    this.nodeReports = nodeReports;
  }

  /** Mounts the route; put it behind the admin key check. */
  public void mount(Router router) {
    router
        .get("/admin/cluster")
        .handler(
            ctx ->
                describe()
                    .onComplete(
                        ar -> {
                          if (ar.succeeded()) {
                            ctx.response()
                                .putHeader("content-type", "application/json")
                                .end(ar.result().encodePrettily());
                          } else {
                            HttpErrors.send(
                                ctx,
                                500,
                                "the cluster could not be described: " + ar.cause().getMessage(),
                                null);
                          }
                        }));
  }

  /** Starts answering other members' requests for this node's report. */
  public Future<Void> start() {
    consumer =
        vertx
            .eventBus()
            .consumer(address(membership.nodeId()), msg -> localReport().onSuccess(msg::reply));
    return consumer.completion();
  }

  public Future<Void> stop() {
    return consumer != null ? consumer.unregister() : Future.succeededFuture();
  }

  private Future<JsonObject> localReport() {
    JsonObject report =
        new JsonObject()
            .put("nodeId", membership.nodeId())
            .put("address", membership.localAddress())
            .put("functions", new JsonArray(membership.localFunctions()))
            .put("inFlightInvocations", localInFlight.getAsInt());
    return nodeReports.collect().map(extra -> report.put("reports", extra));
  }

  public Future<JsonObject> describe() {
    String self = membership.nodeId();
    List<Future<JsonObject>> reports = new ArrayList<>();
    for (String id : membership.members()) {
      Future<JsonObject> report =
          id.equals(self)
              ? localReport()
              : vertx
                  .eventBus()
                  .<JsonObject>request(
                      address(id), null, new DeliveryOptions().setSendTimeout(3000))
                  .map(Message::body)
                  .otherwise(
                      err ->
                          new JsonObject()
                              .put("nodeId", id)
                              .put("error", "no answer: " + err.getMessage()));
      reports.add(report.map(r -> r.put("self", id.equals(self))));
    }
    return Future.all(reports)
        .map(
            all -> {
              JsonArray members = new JsonArray();
              reports.forEach(r -> members.add(r.result()));
              JsonArray refused = new JsonArray();
              membership
                  .refused()
                  .forEach(
                      (id, address) ->
                          refused.add(new JsonObject().put("nodeId", id).put("address", address)));
              return new JsonObject()
                  .put("cluster", membership.settings().name())
                  .put("nodeId", self)
                  .put("members", members)
                  .put("refused", refused)
                  .put("affinity", membership.settings().affinity())
                  .put("replayHttp", membership.settings().replayHttp())
                  .put("loadView", new JsonObject(new HashMap<>(membership.loadView())));
            });
  }

  private static String address(String node) {
    return "veil.cluster.info." + node;
  }
}
