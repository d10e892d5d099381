package dev.veil.functions.smpc;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Message authentication on one link between two SMPC roles. Each link (party 0 ↔ party 1, party 0
 * ↔ provider, party 1 ↔ provider) has its own key, held only by its two ends, so no role can speak
 * for another on a link it is not part of. The session key is HMAC-SHA256(link key, link ‖ session
 * id), and every message carries HMAC-SHA256(session key, what it is ‖ who sent it ‖ its body) in
 * {@value #HEADER}: a message cannot be moved to another link, session, round, sender or model
 * version without failing the check.
 */
public final class SessionKeys {
  public static final String HEADER = "x-veil-smpc-mac";

  /** The links, named by their two ends. */
  public static final String PARTIES = "party0-party1";

  public static final String PARTY0_PROVIDER = "party0-provider";
  public static final String PARTY1_PROVIDER = "party1-provider";
  private static final Pattern SESSION = Pattern.compile("[0-9a-f]{32}");

  private final String link;
  private final byte[] key;

  public SessionKeys(String link, byte[] key) {
    this.link = link;
    this.key = key.clone();
  }

  /** The link between party {@code party} and the crypto provider. */
  public static String providerLink(int party) {
    return party == 0 ? PARTY0_PROVIDER : PARTY1_PROVIDER;
  }

  /**
   * @throws SmpcFailure (400) when {@code session} is not 32 lowercase hex digits
   */
  public static String checkSession(String session) {
    if (session == null || !SESSION.matcher(session).matches()) {
      throw SmpcFailure.badInput(
          "session must be 32 lowercase hex digits (128 random bits), got '"
              + (session == null
                  ? ""
                  : session.length() > 40 ? session.substring(0, 40) + "..." : session)
              + "'");
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
    Mac mac =
        hmac(
            hmac(key)
                .doFinal(("veil-smpc/2|" + link + "|" + session).getBytes(StandardCharsets.UTF_8)));
    mac.update((context + "|").getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  /** Constant-time check of a received tag. */
  public boolean verify(String session, String context, byte[] body, String tag) {
    if (tag == null) {
      return false;
    }
    return MessageDigest.isEqual(
        mac(session, context, body).getBytes(StandardCharsets.US_ASCII),
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
