package dev.veil.functions.smpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each role holds the keys of its own two links, never the third, and no single shared secret. */
class SmpcSettingsTest {
  private static final String K01 = "parties-key-0123456789",
      K0P = "party0-provider-key-0123",
      K1P = "party1-provider-key-0123";

  private static SmpcSettings settings(String role, Map<String, String> extra) {
    Map<String, String> s = new HashMap<>(Map.of(SmpcSettings.ROLE, role));
    s.putAll(extra);
    return SmpcSettings.from(s::get);
  }

  private static String refusal(String role, Map<String, String> extra) {
    return assertThrows(IllegalStateException.class, () -> settings(role, extra)).getMessage();
  }

  @Test
  void eachRoleTakesTheKeysOfItsTwoLinks() {
    SmpcSettings p0 =
        settings(
            "party0", Map.of(SmpcSettings.PARTIES_KEY, K01, SmpcSettings.PARTY0_PROVIDER_KEY, K0P));
    assertEquals(2, p0.linkKeys().size());
    SmpcSettings provider =
        settings(
            "provider",
            Map.of(SmpcSettings.PARTY0_PROVIDER_KEY, K0P, SmpcSettings.PARTY1_PROVIDER_KEY, K1P));
    // the two ends of a link make and check the same tags; the same message on another link does
    // not pass
    byte[] body = "words".getBytes(StandardCharsets.UTF_8);
    String session = SessionKeys.newSession();
    String tag = p0.keys(SessionKeys.PARTY0_PROVIDER).mac(session, "material|0|v", body);
    assertTrue(
        provider.keys(SessionKeys.PARTY0_PROVIDER).verify(session, "material|0|v", body, tag));
    assertFalse(
        provider.keys(SessionKeys.PARTY1_PROVIDER).verify(session, "material|0|v", body, tag));
    assertFalse(
        provider
            .keys(SessionKeys.PARTY0_PROVIDER)
            .verify(SessionKeys.newSession(), "material|0|v", body, tag));
    assertFalse(
        provider.keys(SessionKeys.PARTY0_PROVIDER).verify(session, "material|1|v", body, tag));
    assertThrows(IllegalStateException.class, () -> provider.keys(SessionKeys.PARTIES));
  }

  @Test
  void aRoleRefusesTheThirdLinksKeyTheOldSharedSecretAndMissingOrEqualKeys() {
    assertTrue(
        refusal(
                "party1",
                Map.of(
                    SmpcSettings.PARTIES_KEY,
                    K01,
                    SmpcSettings.PARTY1_PROVIDER_KEY,
                    K1P,
                    SmpcSettings.PARTY0_PROVIDER_KEY,
                    K0P))
            .contains("must not be set on party1"));
    assertTrue(
        refusal(
                "provider",
                Map.of(
                    SmpcSettings.PARTY0_PROVIDER_KEY,
                    K0P,
                    SmpcSettings.PARTY1_PROVIDER_KEY,
                    K1P,
                    SmpcSettings.PARTIES_KEY,
                    K01))
            .contains("must not be set on provider"));
    assertTrue(
        refusal("party0", Map.of(SmpcSettings.SECRET, "one-secret-for-all-0123"))
            .contains("no longer read"));
    assertTrue(
        refusal("party0", Map.of(SmpcSettings.PARTIES_KEY, K01))
            .contains(SmpcSettings.PARTY0_PROVIDER_KEY + " must be set"));
    assertTrue(
        refusal(
                "party0",
                Map.of(SmpcSettings.PARTIES_KEY, K01, SmpcSettings.PARTY0_PROVIDER_KEY, "short"))
            .contains("at least 16"));
    assertTrue(
        refusal(
                "party0",
                Map.of(SmpcSettings.PARTIES_KEY, K01, SmpcSettings.PARTY0_PROVIDER_KEY, K01))
            .contains("are equal"));
  }
}
