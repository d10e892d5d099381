package dev.veil.runtime.host.auth;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.AuthKeys;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Named access keys as the Azure Functions host has them: the master key ({@value
 * #MASTER_KEY_NAME}), any number of named host keys and, per function, any number of named function
 * keys ({@code default} is generated; e.g. {@code primary} and {@code secondary} let clients move
 * from one key to another).
 *
 * <p>Kept in {@code <data>/keys.json} (owner-only permissions, rewritten atomically on every
 * change); app settings {@value #MASTER_KEY_SETTING} and {@value #HOST_KEY_SETTING} override the
 * master key and the {@code default} host key and cannot be changed through the API. Keys are
 * compared in constant time against precomputed digests, and never logged. Changes go to {@link
 * #onChange} listeners (the cluster broadcast), which other members apply with {@link #apply}.
 */
public final class AccessKeys implements AuthKeys {
  public static final String MASTER_KEY_SETTING = "VEIL_MASTER_KEY";
  public static final String HOST_KEY_SETTING = "VEIL_HOST_KEY";
  public static final String MASTER_KEY_NAME = "_master";
  public static final String DEFAULT_KEY_NAME = "default";
  private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern KEY_VALUE = Pattern.compile("[A-Za-z0-9_\\-=/+.]{16,256}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Whose key: the host's (function {@code null}) or one function's. */
  public record Scope(String function) {
    public static final Scope HOST = new Scope(null);

    public static Scope function(String name) {
      return new Scope(name);
    }

    public boolean host() {
      return function == null;
    }

    @Override
    public String toString() {
      return host() ? "host" : "function '" + function + "'";
    }
  }

  /** A change to one key; {@code value == null} means deleted. Carries the secret: never log it. */
  public record Change(Scope scope, String name, String value) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("function", scope.function())
          .put("name", name)
          .put("value", value);
    }

    public static Change fromJson(JsonObject json) {
      return new Change(
          new Scope(json.getString("function")), json.getString("name"), json.getString("value"));
    }
  }

  /** Immutable view for the request path: digests of every accepted key. */
  private record Digests(byte[] master, List<byte[]> host, Map<String, List<byte[]>> functions) {}

  private final Path file;
  private final String masterOverride;
  private final String hostOverride;
  private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
  // guarded by this
  private String master;
  private final Map<String, String> hostKeys = new TreeMap<>();
  private final Map<String, Map<String, String>> functionKeys = new TreeMap<>();
  private volatile Digests digests;

  private AccessKeys(Path file, String masterOverride, String hostOverride) {
    this.file = file;
    this.masterOverride = masterOverride;
    this.hostOverride = hostOverride;
  }

  /**
   * Loads {@code file} (also the older form with one {@code hostKey} and one key per function),
   * generates a master key, a {@code default} host key and a {@code default} key for every function
   * that has none, and writes the file back if it changed.
   */
  public static AccessKeys load(Path file, AppSettings settings, Collection<String> functionNames)
      throws IOException {
    JsonObject json;
    try {
      json = Files.exists(file) ? new JsonObject(Files.readString(file)) : new JsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException(
          file + " is not a JSON object; fix or delete it to generate new keys");
    }
    AccessKeys keys =
        new AccessKeys(
            file,
            settings.get(MASTER_KEY_SETTING).orElse(null),
            settings.get(HOST_KEY_SETTING).orElse(null));
    boolean changed = false;
    synchronized (keys) {
      keys.master = json.getString("masterKey");
      if (keys.master == null) {
        keys.master = newKey();
        changed = true;
      }
      Object hosts = json.getValue("hostKeys");
      if (hosts instanceof JsonObject named)
        named.forEach(e -> keys.hostKeys.put(e.getKey(), String.valueOf(e.getValue())));
      if (json.getString("hostKey") != null)
        keys.hostKeys.putIfAbsent(DEFAULT_KEY_NAME, json.getString("hostKey"));
      if (keys.hostKeys.isEmpty()) {
        keys.hostKeys.put(DEFAULT_KEY_NAME, newKey());
        changed = true;
      }
      changed |= json.containsKey("hostKey"); // rewritten in the named form
      JsonObject functions = json.getJsonObject("functionKeys", new JsonObject());
      for (Map.Entry<String, Object> e : functions) {
        Map<String, String> named = new TreeMap<>();
        if (e.getValue() instanceof JsonObject o) {
          o.forEach(k -> named.put(k.getKey(), String.valueOf(k.getValue())));
        } else if (e.getValue() != null) {
          named.put(DEFAULT_KEY_NAME, e.getValue().toString());
          changed = true;
        }
        keys.functionKeys.put(e.getKey(), named);
      }
      for (String name : functionNames) {
        if (keys.functionKeys.computeIfAbsent(name, n -> new TreeMap<>()).isEmpty()) {
          keys.functionKeys.get(name).put(DEFAULT_KEY_NAME, newKey());
          changed = true;
        }
      }
      if (changed) keys.save();
      keys.refreshDigests();
    }
    return keys;
  }

  @Override
  public boolean authorizes(AuthorizationLevel level, String functionName, String presentedKey) {
    if (level == AuthorizationLevel.ANONYMOUS) return true;
    if (presentedKey == null || presentedKey.isEmpty()) return false;
    Digests d = digests;
    byte[] presented = digest(presentedKey);
    boolean match = MessageDigest.isEqual(presented, d.master());
    if (level == AuthorizationLevel.FUNCTION) {
      // no early exit: the time taken does not tell which key matched
      for (byte[] key : d.host()) match |= MessageDigest.isEqual(presented, key);
      for (byte[] key : d.functions().getOrDefault(functionName, List.of()))
        match |= MessageDigest.isEqual(presented, key);
    }
    return match;
  }

  public synchronized String masterKey() {
    return masterOverride != null ? masterOverride : master;
  }

  /** The {@code default} host key. */
  public synchronized String hostKey() {
    return hostOverride != null ? hostOverride : hostKeys.get(DEFAULT_KEY_NAME);
  }

  /** The function's {@code default} key, or {@code null} if it has none. */
  public synchronized String functionKey(String functionName) {
    return functionKeys.getOrDefault(functionName, Map.of()).get(DEFAULT_KEY_NAME);
  }

  /** Whether a function of this name is known (its keys can be listed and changed). */
  public synchronized boolean knowsFunction(String functionName) {
    return functionKeys.containsKey(functionName);
  }

  /** The keys of a scope by name; the host scope lists its keys and {@value #MASTER_KEY_NAME}. */
  public synchronized Map<String, String> list(Scope scope) {
    Map<String, String> out = new LinkedHashMap<>();
    if (scope.host()) {
      hostKeys.forEach(out::put);
      if (hostOverride != null) out.put(DEFAULT_KEY_NAME, hostOverride);
      out.put(MASTER_KEY_NAME, masterKey());
    } else {
      out.putAll(functionKeys.getOrDefault(scope.function(), Map.of()));
    }
    return out;
  }

  public synchronized Optional<String> get(Scope scope, String name) {
    return Optional.ofNullable(list(scope).get(name));
  }

  /**
   * Sets a key to {@code value}, or to a new random value when {@code value} is {@code null}.
   *
   * @return whether the key is new
   * @throws IllegalArgumentException for a bad name or value, or a key an app setting fixes
   */
  public boolean set(Scope scope, String name, String value) {
    checkName(name);
    if (value != null && !KEY_VALUE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "a key value must be 16 to 256 characters of letters, digits and -_=/+.");
    }
    checkChangeable(scope, name);
    Change change = new Change(scope, name, value != null ? value : newKey());
    boolean created = apply(change);
    listeners.forEach(l -> l.accept(change));
    return created;
  }

  /**
   * Deletes a key; {@code false} if there was none. The master key cannot be deleted, only
   * replaced.
   */
  public boolean delete(Scope scope, String name) {
    checkName(name);
    if (scope.host() && name.equals(MASTER_KEY_NAME)) {
      throw new IllegalArgumentException(
          "the master key cannot be deleted; POST or PUT a new value instead");
    }
    checkChangeable(scope, name);
    Change change = new Change(scope, name, null);
    if (get(scope, name).isEmpty()) return false;
    apply(change);
    listeners.forEach(l -> l.accept(change));
    return true;
  }

  /**
   * Called with every change made through {@link #set} and {@link #delete} (not with {@link
   * #apply}).
   */
  public void onChange(Consumer<Change> listener) {
    listeners.add(listener);
  }

  /**
   * Applies a change (made here, or on another member and broadcast), persists it and makes it
   * effective for the next request. Returns whether the key was new.
   */
  public synchronized boolean apply(Change change) {
    Map<String, String> target;
    if (change.scope().host()) {
      if (change.name().equals(MASTER_KEY_NAME)) {
        boolean changed = change.value() != null && !change.value().equals(master);
        if (changed) master = change.value();
        if (changed) persist();
        return false;
      }
      target = hostKeys;
    } else {
      target = functionKeys.computeIfAbsent(change.scope().function(), f -> new TreeMap<>());
    }
    boolean created = !target.containsKey(change.name());
    String previous =
        change.value() == null
            ? target.remove(change.name())
            : target.put(change.name(), change.value());
    if (!java.util.Objects.equals(previous, change.value())) persist();
    return created;
  }

  private void persist() {
    try {
      save();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the keys file " + file + " could not be written: " + e.getMessage(), e);
    } finally {
      refreshDigests();
    }
  }

  private void checkChangeable(Scope scope, String name) {
    if (!scope.host()) return;
    if (name.equals(MASTER_KEY_NAME) && masterOverride != null) {
      throw new IllegalArgumentException(
          "the master key is set by the app setting " + MASTER_KEY_SETTING + "; change it there");
    }
    if (name.equals(DEFAULT_KEY_NAME) && hostOverride != null) {
      throw new IllegalArgumentException(
          "the default host key is set by the app setting "
              + HOST_KEY_SETTING
              + "; change it there");
    }
  }

  private static void checkName(String name) {
    if (name == null || !KEY_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a key name must be 1 to 64 letters, digits, '_', '.' or '-'");
    }
  }

  private void refreshDigests() {
    List<byte[]> host = new ArrayList<>();
    hostKeys.forEach(
        (name, value) -> {
          if (!(name.equals(DEFAULT_KEY_NAME) && hostOverride != null)) host.add(digest(value));
        });
    if (hostOverride != null) host.add(digest(hostOverride));
    Map<String, List<byte[]>> functions = new TreeMap<>();
    functionKeys.forEach(
        (fn, named) -> functions.put(fn, named.values().stream().map(AccessKeys::digest).toList()));
    digests = new Digests(digest(masterKey()), List.copyOf(host), Map.copyOf(functions));
  }

  private void save() throws IOException {
    JsonObject functions = new JsonObject();
    functionKeys.forEach(
        (fn, named) -> functions.put(fn, new JsonObject(new LinkedHashMap<>(named))));
    JsonObject json =
        new JsonObject()
            .put("masterKey", master)
            .put("hostKeys", new JsonObject(new LinkedHashMap<>(hostKeys)))
            .put("functionKeys", functions);
    SecretFiles.write(file, json.encodePrettily());
  }

  static String newKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  // Fixed-length digests keep the comparison time independent of the keys' lengths too.
  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
