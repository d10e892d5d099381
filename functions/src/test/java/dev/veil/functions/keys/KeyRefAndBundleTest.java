package dev.veil.functions.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeyRefAndBundleTest {

  @Test
  void acceptsOrdinaryNames() {
    KeyRef ref = new KeyRef("veil-keys", "alice_2024.v1");
    assertEquals("veil-keys/alice_2024.v1", ref.toString());
  }

  @Test
  void rejectsTraversalSeparatorsAndOversizedNames() {
    for (String keyId :
        new String[] {
          "../etc/passwd",
          "..",
          "a/b",
          "a\\b",
          ".hidden",
          "a..b",
          "",
          "x".repeat(129),
          "key\u0000id",
          "k%2F"
        }) {
      InvalidKeyRefException e =
          assertThrows(InvalidKeyRefException.class, () -> new KeyRef("keys", keyId), keyId);
      assertTrue(e.getMessage().startsWith("key_id"), e.getMessage());
    }
    for (String container :
        new String[] {"ab", "Keys", "-keys", "keys-", "ke--ys", "../x", "k/eys", "a".repeat(64)}) {
      InvalidKeyRefException e =
          assertThrows(InvalidKeyRefException.class, () -> new KeyRef(container, "k"), container);
      assertTrue(e.getMessage().startsWith("container"), e.getMessage());
    }
    assertThrows(InvalidKeyRefException.class, () -> new KeyRef(null, "k"));
    assertThrows(InvalidKeyRefException.class, () -> new KeyRef("keys", null));
  }

  @Test
  void bundleRoundTripsWithAndWithoutRelinKeys() {
    KeyBundle withRelin = new KeyBundle(new byte[] {1, 2}, new byte[] {3, 4, 5}, new byte[] {6});
    KeyBundle back = KeyBundle.decode(withRelin.encode());
    assertArrayEquals(new byte[] {1, 2}, back.parameters());
    assertArrayEquals(new byte[] {3, 4, 5}, back.galoisKeys());
    assertArrayEquals(new byte[] {6}, back.relinKeys());

    KeyBundle noRelin =
        KeyBundle.decode(new KeyBundle(new byte[] {1}, new byte[] {2}, null).encode());
    assertFalse(noRelin.hasRelinKeys());
    assertNull(noRelin.relinKeys());
  }

  @Test
  void malformedBundlesAreRejectedWithReasons() {
    byte[] good = new KeyBundle(new byte[] {1, 2}, new byte[] {3, 4, 5}, null).encode();
    assertReject("not a Veil key bundle", "hello".getBytes());
    assertReject("truncated", Arrays.copyOf(good, 12));
    assertReject("declares", Arrays.copyOf(good, good.length - 1));
    assertReject("trailing", Arrays.copyOf(good, good.length + 1));
    byte[] badVersion = good.clone();
    badVersion[8] = 9;
    assertReject("version 9", badVersion);
    byte[] repeated = good.clone();
    repeated[10 + 5 + 2] = 1; // second section claims kind 1 again
    assertReject("repeats", repeated);
    byte[] huge = good.clone();
    huge[11] = (byte) 0xFF;
    huge[12] = (byte) 0xFF;
    huge[13] = (byte) 0xFF;
    huge[14] = (byte) 0x7F;
    assertReject("declares", huge);
    assertReject(
        "no Galois keys",
        new byte[] {'V', 'E', 'I', 'L', 'K', 'E', 'Y', 'S', 1, 2, 1, 1, 0, 0, 0, 7, 3, 0, 0, 0, 0});
  }

  private static void assertReject(String fragment, byte[] bytes) {
    InvalidKeyBundleException e =
        assertThrows(InvalidKeyBundleException.class, () -> KeyBundle.decode(bytes));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
