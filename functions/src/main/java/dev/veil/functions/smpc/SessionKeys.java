package dev.veil.functions.smpc;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-session message authentication between the SMPC roles: the session key is HMAC-SHA256(secret, session
 * id), and every message carries HMAC-SHA256(session key, what it is ‖ its body) in {@value #HEADER}. A
 * message cannot be moved to another session, round, sender or model version without failing the check.
 */
public final class SessionKeys {
  public static final String HEADER = "x-veil-smpc-mac";
  private static final Pattern SESSION = Pattern.compile("[0-9a-f]{32}");

  private final byte[] secret;

  public SessionKeys(byte[] secret) {
    this.secret = secret.clone();
  }

  /** @throws IllegalArgumentException when {@code session} is not 32 lowercase hex digits */
  public static String checkSession(String session) {
    if (session == null || !SESSION.matcher(session).matches()) {
      throw new IllegalArgumentException("session must be 32 lowercase hex digits (128 random bits), got '"
          + (session == null ? "" : session.length() > 40 ? session.substring(0, 40) + "..." : session) + "'");
    }
    return session;
  }

  /** A fresh session id. */
  public static String newSession() {
    byte[] id = new byte[16];
    new java.security.SecureRandom().nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  public String mac(String session, String context, byte[] body) {
    Mac mac = hmac(hmac(secret).doFinal(("veil-smpc/1|" + session).getBytes(StandardCharsets.UTF_8)));
    mac.update((context + "|").getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  /** Constant-time check of a received tag. */
  public boolean verify(String session, String context, byte[] body, String tag) {
    if (tag == null) {
      return false;
    }
    return MessageDigest.isEqual(mac(session, context, body).getBytes(StandardCharsets.US_ASCII),
        tag.getBytes(StandardCharsets.US_ASCII));
  }

  private static Mac hmac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
