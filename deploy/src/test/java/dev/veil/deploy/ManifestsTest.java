package dev.veil.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.properties.PropertyDefinition;
import com.hazelcast.kubernetes.KubernetesProperties;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import dev.veil.functions.queue.QueueScoringFunction;
import dev.veil.runtime.cluster.ClusterSettings;
import dev.veil.runtime.host.auth.AccessKeys;
import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.HostConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests and the Dockerfile, checked as far as this machine allows (no cluster,
 * no Docker): YAML parses, required fields and kinds are there, the pieces point at each other,
 * probes hit the host's real health endpoints, the ConfigMap's host.json and the container's
 * environment go through Veil's own cluster settings parser.
 */
class ManifestsTest {
  private static final Path DEPLOY = Path.of(System.getProperty("veil.deploy.dir", "."));
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, JsonNode> BY_KIND_AND_NAME = load();

  private static Map<String, JsonNode> load() {
    List<JsonNode> docs = new ArrayList<>();
    for (String file : List.of("k8s/veil.yaml", "k8s/keda.yaml")) {
      try (var parser = YAML.createParser(DEPLOY.resolve(file).toFile())) {
        YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
      } catch (IOException e) {
        throw new AssertionError(file + " is not valid YAML: " + e.getMessage(), e);
      }
    }
    for (JsonNode doc : docs) {
      for (String field : List.of("apiVersion", "kind", "metadata")) {
        assertTrue(doc.hasNonNull(field), "a manifest lacks " + field + ": " + doc);
      }
      assertTrue(
          doc.path("metadata").path("name").asText().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"),
          doc.toString());
    }
    return docs.stream()
        .collect(
            Collectors.toMap(
                d -> d.path("kind").asText() + "/" + d.path("metadata").path("name").asText(),
                d -> d));
  }

  private static JsonNode get(String kindAndName) {
    JsonNode doc = BY_KIND_AND_NAME.get(kindAndName);
    assertNotNull(doc, kindAndName + " missing; have " + BY_KIND_AND_NAME.keySet());
    return doc;
  }

  private static JsonNode container() {
    JsonNode containers =
        get("Deployment/veil").path("spec").path("template").path("spec").path("containers");
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static int containerPort(String name) {
    for (JsonNode port : container().path("ports")) {
      if (port.path("name").asText().equals(name)) return port.path("containerPort").asInt();
    }
    throw new AssertionError("the container has no port named " + name);
  }

  private static List<String> args() {
    return StreamSupport.stream(container().path("args").spliterator(), false)
        .map(JsonNode::asText)
        .toList();
  }

  private static String argAfter(String flag) {
    List<String> args = args();
    int i = args.indexOf(flag);
    assertTrue(i >= 0 && i + 1 < args.size(), flag + " missing from " + args);
    return args.get(i + 1);
  }

  @Test
  void deploymentRunsTheClusteredHostWithProbesOnItsHealthEndpoints() {
    JsonNode deployment = get("Deployment/veil");
    assertEquals("apps/v1", deployment.path("apiVersion").asText());
    JsonNode spec = deployment.path("spec");
    assertEquals(
        spec.path("selector").path("matchLabels"),
        spec.path("template").path("metadata").path("labels"));
    assertEquals("start", args().get(0));
    assertTrue(args().contains("--cluster"), args().toString());
    assertEquals("0.0.0.0", argAfter("--host"));
    assertEquals(containerPort("http"), Integer.parseInt(argAfter("--port")));
    assertEquals(
        "/health/ready", container().path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals(
        "/health/live", container().path("livenessProbe").path("httpGet").path("path").asText());
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      assertEquals("http", container().path(probe).path("httpGet").path("port").asText(), probe);
    }
    assertEquals("veil", spec.path("template").path("spec").path("serviceAccountName").asText());
    get("ServiceAccount/veil");
  }

  @Test
  void servicesSelectTheDeploymentsPods() {
    JsonNode labels =
        get("Deployment/veil").path("spec").path("template").path("metadata").path("labels");
    for (String service : List.of("Service/veil", "Service/veil-hazelcast")) {
      JsonNode selector = get(service).path("spec").path("selector");
      selector
          .fields()
          .forEachRemaining(e -> assertEquals(e.getValue(), labels.path(e.getKey()), service));
      for (JsonNode port : get(service).path("spec").path("ports"))
        containerPort(port.path("targetPort").asText());
    }
    assertEquals("None", get("Service/veil-hazelcast").path("spec").path("clusterIP").asText());
  }

  /**
   * The container's environment: literal values as given, Secret references as a test value per
   * key.
   */
  private static Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    for (JsonNode var : container().path("env")) {
      JsonNode secret = var.path("valueFrom").path("secretKeyRef");
      env.put(
          var.path("name").asText(),
          secret.isMissingNode()
              ? var.path("value").asText()
              : "test-" + secret.path("key").asText() + "-0123456789abcdef");
    }
    return env;
  }

  private static JsonObject configMapHostJson() {
    return new JsonObject(get("ConfigMap/veil-config").path("data").path("host.json").asText());
  }

  @Test
  void clusterSettingsParsedFromTheConfigMapJoinThroughKubernetesDiscovery() throws Exception {
    // --cluster is not passed as forced here: the manifest must switch cluster mode on by itself as
    // well
    ClusterSettings settings =
        ClusterSettings.from(
            new HostConfig(configMapHostJson()),
            new AppSettings(environment()),
            false,
            argAfter("--host"));
    assertNotNull(settings, "host.json veil.cluster.enabled / VEIL_CLUSTER turn cluster mode on");
    Method hazelcastConfig = ClusterSettings.class.getDeclaredMethod("hazelcastConfig");
    hazelcastConfig.setAccessible(
        true); // package-private: the Hazelcast config Veil starts the member with
    Config config = (Config) hazelcastConfig.invoke(settings);
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertTrue(!join.getMulticastConfig().isEnabled() && !join.getTcpIpConfig().isEnabled());
    assertEquals("veil-hazelcast", join.getKubernetesConfig().getProperty("service-name"));
    assertEquals(containerPort("hazelcast"), config.getNetworkConfig().getPort());

    Set<String> known = new HashSet<>();
    for (Field f : KubernetesProperties.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.get(null) instanceof PropertyDefinition d)
        known.add(d.key());
    }
    for (String key : join.getKubernetesConfig().getProperties().keySet()) {
      assertTrue(
          known.contains(key),
          "veil.cluster.kubernetes."
              + key
              + " is no Hazelcast Kubernetes property; known: "
              + known);
    }
    assertEquals("/etc/veil", argAfter("--config"));
    assertTrue(
        !container().toString().contains("vertx.hazelcast.config")
            && !get("ConfigMap/veil-config").path("data").has("cluster.xml"),
        "Veil reads no Hazelcast config file");

    JsonNode rules = get("Role/veil-hazelcast-discovery").path("rules");
    assertTrue(
        rules.toString().contains("endpoints") && rules.toString().contains("\"list\""),
        rules.toString());
    JsonNode binding = get("RoleBinding/veil-hazelcast-discovery");
    assertEquals("veil-hazelcast-discovery", binding.path("roleRef").path("name").asText());
    assertEquals("veil", binding.path("subjects").get(0).path("name").asText());
  }

  @Test
  void clusterSecretAndKeysComeFromOneSecret() {
    Map<String, JsonNode> byName = new HashMap<>();
    for (JsonNode var : container().path("env")) byName.put(var.path("name").asText(), var);
    assertEquals("true", byName.get(ClusterSettings.ENABLED_SETTING).path("value").asText());
    Set<String> keys = new HashSet<>();
    for (String setting :
        List.of(
            ClusterSettings.SECRET_SETTING,
            AccessKeys.MASTER_KEY_SETTING,
            AccessKeys.HOST_KEY_SETTING)) {
      JsonNode ref =
          byName
              .getOrDefault(setting, YAML.createObjectNode())
              .path("valueFrom")
              .path("secretKeyRef");
      assertEquals("veil-keys", ref.path("name").asText(), setting + " from the veil-keys Secret");
      keys.add(ref.path("key").asText());
    }
    assertEquals(3, keys.size(), "three different keys of the Secret: " + keys);
    assertTrue(!configMapHostJson().encode().contains("secret"), "no secret in the ConfigMap");
  }

  @Test
  void hostJsonInTheConfigMapIsValidJson() throws Exception {
    JsonNode configMap = get("ConfigMap/veil-config");
    ObjectMapper json = new ObjectMapper();
    assertEquals(
        "2.0",
        json.readTree(configMap.path("data").path("host.json").asText()).path("version").asText());
    json.readTree(configMap.path("data").path("local.settings.json").asText());
  }

  @Test
  void kedaScalesTheDeploymentOnTheQueueFunctionsConsumerLag() throws Exception {
    JsonNode scaled = get("ScaledObject/veil-queue-scoring");
    assertEquals("keda.sh/v1alpha1", scaled.path("apiVersion").asText());
    assertEquals("veil", scaled.path("spec").path("scaleTargetRef").path("name").asText());
    JsonNode trigger = scaled.path("spec").path("triggers").get(0);
    assertEquals("kafka", trigger.path("type").asText());
    Method score =
        Arrays.stream(QueueScoringFunction.class.getMethods())
            .filter(m -> m.getName().equals("score"))
            .findFirst()
            .orElseThrow();
    KafkaTrigger kafka =
        Arrays.stream(score.getParameters())
            .map(p -> p.getAnnotation(KafkaTrigger.class))
            .filter(a -> a != null)
            .findFirst()
            .orElseThrow();
    assertEquals(kafka.topic(), trigger.path("metadata").path("topic").asText());
    assertEquals(kafka.consumerGroup(), trigger.path("metadata").path("consumerGroup").asText());
    assertTrue(trigger.path("metadata").path("lagThreshold").asText().matches("[1-9][0-9]*"));
    String brokers = container().path("env").toString();
    assertTrue(
        brokers.contains(trigger.path("metadata").path("bootstrapServers").asText()),
        "KEDA watches the brokers the hosts use");
  }

  @Test
  void dockerfileRunsTheDistributionOnTheContainerPort() throws Exception {
    List<String> lines =
        Files.readAllLines(DEPLOY.resolve("Dockerfile")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertTrue(lines.get(0).startsWith("FROM "), "the first instruction is FROM");
    assertTrue(lines.contains("COPY target/veil /opt/veil"), lines.toString());
    String expose = lines.stream().filter(l -> l.startsWith("EXPOSE ")).findFirst().orElseThrow();
    assertTrue(
        expose.contains(String.valueOf(containerPort("http")))
            && expose.contains(String.valueOf(containerPort("hazelcast"))),
        expose);
    assertEquals(List.of("/opt/veil/bin/veil"), execForm(lines, "ENTRYPOINT"));
    List<String> command = execForm(lines, "CMD");
    assertEquals("start", command.get(0));
    assertEquals(String.valueOf(containerPort("http")), command.get(command.indexOf("--port") + 1));
    assertEquals("0.0.0.0", command.get(command.indexOf("--host") + 1));
    assertTrue(Files.exists(DEPLOY.resolve("src/dist/bin/veil")), "the launcher the image runs");
  }

  @Test
  void dockerImageMakesTheClassArchiveForItsOwnJvm() throws Exception {
    List<String> lines = Files.readAllLines(DEPLOY.resolve("Dockerfile"));
    int copy = lines.indexOf("COPY target/veil /opt/veil");
    int archive = -1;
    for (int i = 0; i < lines.size(); i++)
      if (lines.get(i).startsWith("RUN /opt/veil/bin/veil-archive")) archive = i;
    assertTrue(copy >= 0 && archive > copy, "RUN /opt/veil/bin/veil-archive after the COPY");
    assertTrue(Files.isExecutable(DEPLOY.resolve("src/dist/bin/veil-archive")));
    // the build machine's archives would only add megabytes the image's JVM cannot use
    assertTrue(
        Files.readAllLines(DEPLOY.resolve(".dockerignore")).contains("target/veil/lib/archive"));
  }

  // ENTRYPOINT / CMD in exec form (a JSON array), so that signals reach the launcher's java process
  private static List<String> execForm(List<String> lines, String instruction) throws IOException {
    String line =
        lines.stream()
            .filter(l -> l.startsWith(instruction + " "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no " + instruction));
    return StreamSupport.stream(
            new ObjectMapper().readTree(line.substring(instruction.length() + 1)).spliterator(),
            false)
        .map(JsonNode::asText)
        .toList();
  }
}
