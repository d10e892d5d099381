package dev.veil.dashboard;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-in browsers. The session id travels only in an HttpOnly, SameSite=Strict cookie (Secure on
 * an HTTPS host); the master key it stands for stays here, in the host's memory, and is never sent
 * back to the browser. Each session has its own CSRF token, which the page sends in a header on
 * every state-changing call.
 */
final class Sessions {
  static final String COOKIE = "veil_ui";
  static final String CSRF_HEADER = "x-veil-csrf";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One signed-in browser; {@code masterKey} is what the dashboard's calls to the host present. */
  record Session(String id, String csrf, String masterKey, long expiresAtMillis) {
    boolean expired(long now) {
      return now >= expiresAtMillis;
    }
  }

  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final DashboardSettings settings;
  private final boolean secure;

  Sessions(DashboardSettings settings, boolean secure) {
    this.settings = settings;
    this.secure = secure;
  }

  /** A new session; the oldest one gives way when {@code maxSessions} are signed in. */
  Session create(String masterKey) {
    long now = System.currentTimeMillis();
    byId.values().removeIf(s -> s.expired(now));
    while (byId.size() >= settings.maxSessions()) {
      byId.values().stream()
          .min(Comparator.comparingLong(Session::expiresAtMillis))
          .ifPresent(s -> byId.remove(s.id()));
    }
    Session s = new Session(token(), token(), masterKey, now + settings.sessionTtl().toMillis());
    byId.put(s.id(), s);
    return s;
  }

  /** The request's live session, or {@code null}. */
  Session of(HttpServerRequest request) {
    Cookie c = request.getCookie(COOKIE);
    if (c == null) return null;
    Session s = byId.get(c.getValue());
    if (s != null && s.expired(System.currentTimeMillis())) {
      byId.remove(s.id());
      return null;
    }
    return s;
  }

  /** Whether the session is still signed in (not signed out, not expired). */
  boolean live(Session s) {
    return byId.get(s.id()) == s && !s.expired(System.currentTimeMillis());
  }

  boolean anyLive() {
    long now = System.currentTimeMillis();
    return byId.values().stream().anyMatch(s -> !s.expired(now));
  }

  void remove(Session s) {
    byId.remove(s.id());
  }

  /** Whether the request carries the session's CSRF token (compared in constant time). */
  static boolean csrfMatches(Session s, HttpServerRequest request) {
    String presented = request.getHeader(CSRF_HEADER);
    return presented != null
        && MessageDigest.isEqual(
            presented.getBytes(StandardCharsets.UTF_8), s.csrf().getBytes(StandardCharsets.UTF_8));
  }

  Cookie cookie(Session s) {
    return base(s.id()).setMaxAge(settings.sessionTtl().toSeconds());
  }

  Cookie expiredCookie() {
    return base("").setMaxAge(0);
  }

  private Cookie base(String value) {
    return Cookie.cookie(COOKIE, value)
        .setPath("/ui")
        .setHttpOnly(true)
        .setSecure(secure)
        .setSameSite(CookieSameSite.STRICT);
  }

  private static String token() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
