package dev.veil.runtime.host;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.AuthKeys;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Master, host and function keys. Kept in {@code <data>/keys.json} (created with owner-only permissions,
 * missing keys generated on first start); app settings {@code VEIL_MASTER_KEY} and {@code VEIL_HOST_KEY}
 * override the file. Keys are compared in constant time and never logged.
 */
public final class KeyStore implements AuthKeys {
  public static final String MASTER_KEY_SETTING = "VEIL_MASTER_KEY";
  public static final String HOST_KEY_SETTING = "VEIL_HOST_KEY";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String masterKey;
  private final String hostKey;
  private final Map<String, String> functionKeys;

  private KeyStore(String masterKey, String hostKey, Map<String, String> functionKeys) {
    this.masterKey = masterKey;
    this.hostKey = hostKey;
    this.functionKeys = Map.copyOf(functionKeys);
  }

  /** Loads {@code file}, adds a key for every function that has none, and writes the file back if it changed. */
  public static KeyStore load(Path file, AppSettings settings, Collection<String> functionNames) throws IOException {
    JsonObject json;
    try {
      json = Files.exists(file) ? new JsonObject(Files.readString(file)) : new JsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException(file + " is not a JSON object; fix or delete it to generate new keys");
    }
    boolean changed = false;
    if (json.getString("masterKey") == null) {
      json.put("masterKey", newKey());
      changed = true;
    }
    if (json.getString("hostKey") == null) {
      json.put("hostKey", newKey());
      changed = true;
    }
    JsonObject functions = json.getJsonObject("functionKeys", new JsonObject());
    for (String name : functionNames) {
      if (functions.getString(name) == null) {
        functions.put(name, newKey());
        changed = true;
      }
    }
    json.put("functionKeys", functions);
    if (changed) write(file, json);
    Map<String, String> byFunction = new TreeMap<>();
    functions.forEach(e -> byFunction.put(e.getKey(), String.valueOf(e.getValue())));
    return new KeyStore(settings.get(MASTER_KEY_SETTING).orElse(json.getString("masterKey")),
        settings.get(HOST_KEY_SETTING).orElse(json.getString("hostKey")), byFunction);
  }

  @Override
  public boolean authorizes(AuthorizationLevel level, String functionName, String presentedKey) {
    if (level == AuthorizationLevel.ANONYMOUS) return true;
    if (presentedKey == null || presentedKey.isEmpty()) return false;
    List<String> accepted = new ArrayList<>(3);
    accepted.add(masterKey);
    if (level == AuthorizationLevel.FUNCTION) {
      accepted.add(hostKey);
      String own = functionKeys.get(functionName);
      if (own != null) accepted.add(own);
    }
    byte[] presented = digest(presentedKey);
    boolean match = false;
    for (String key : accepted) {
      match |= MessageDigest.isEqual(presented, digest(key)); // no early exit: time does not depend on which key matched
    }
    return match;
  }

  public String masterKey() {
    return masterKey;
  }

  public String hostKey() {
    return hostKey;
  }

  /** The function's own key, or {@code null} if the function is unknown. */
  public String functionKey(String functionName) {
    return functionKeys.get(functionName);
  }

  private static String newKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  // Comparing fixed-length digests keeps the comparison time independent of the keys' lengths too.
  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path file, JsonObject json) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, json.encodePrettily());
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
