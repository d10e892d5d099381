package dev.veil.runtime.spi.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys made by the JDK, written as PKCS#8 and converted by OpenSSL to its traditional forms (PKCS#1
 * RSA, SEC1 EC), read back by {@link PemKeys}: each must sign what the original public key
 * verifies.
 */
class PemKeysTest {
  @TempDir Path dir;

  @Test
  void readsPkcs8AndPkcs1RsaKeys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair pair = g.generateKeyPair();
    Path pkcs8 = writePkcs8(pair.getPrivate(), "rsa.pem");
    assertSigns(pair, PemKeys.read(Files.readString(pkcs8)), "SHA256withRSA");
    String pkcs1 = openssl("rsa", "-traditional", "-in", pkcs8.toString());
    assertTrue(pkcs1.startsWith("-----BEGIN RSA PRIVATE KEY-----"), pkcs1);
    assertSigns(pair, PemKeys.read(pkcs1), "SHA256withRSA");
  }

  @Test
  void readsPkcs8AndSec1EcKeysOnTwoCurves() throws Exception {
    for (String curve : new String[] {"secp256r1", "secp384r1"}) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      KeyPair pair = g.generateKeyPair();
      Path pkcs8 = writePkcs8(pair.getPrivate(), curve + ".pem");
      assertSigns(pair, PemKeys.read(Files.readString(pkcs8)), "SHA256withECDSA");
      // openssl's "EC PARAMETERS" block ahead of the key, as `openssl ecparam -genkey` writes it
      String sec1 =
          openssl("ecparam", "-name", curve.equals("secp256r1") ? "prime256v1" : curve)
              + openssl("ec", "-in", pkcs8.toString());
      assertTrue(sec1.contains("-----BEGIN EC PRIVATE KEY-----"), sec1);
      assertSigns(pair, PemKeys.read(sec1), "SHA256withECDSA");
    }
  }

  @Test
  void readsPkcs8Ed25519Keys() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Path pkcs8 = writePkcs8(pair.getPrivate(), "ed.pem");
    assertSigns(pair, PemKeys.read(Files.readString(pkcs8)), "Ed25519");
  }

  @Test
  void refusesWhatIsNoKey() {
    assertThrows(GeneralSecurityException.class, () -> PemKeys.read("no pem here"));
    assertThrows(
        GeneralSecurityException.class,
        () ->
            PemKeys.read("-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----"));
    assertThrows(
        GeneralSecurityException.class,
        () -> PemKeys.read("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"));
  }

  private Path writePkcs8(PrivateKey key, String name) throws Exception {
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    return Files.writeString(dir.resolve(name), pem);
  }

  private static String openssl(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "openssl";
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  private static void assertSigns(KeyPair original, PrivateKey read, String algorithm)
      throws Exception {
    byte[] message = "veil".getBytes(StandardCharsets.US_ASCII);
    Signature s = Signature.getInstance(algorithm);
    s.initSign(read);
    s.update(message);
    byte[] signature = s.sign();
    Signature v = Signature.getInstance(algorithm);
    v.initVerify(original.getPublic());
    v.update(message);
    assertTrue(v.verify(signature), algorithm + " key read back does not match the original");
  }
}
