import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

/**
 * The JDK's own cost of one ES256 signature check (SHA256withECDSA on P-256), thread CPU time per call,
 * to compare with the token validation benchmark. Run: {@code java bench/tls/JdkEcdsaVerify.java}.
 */
public class JdkEcdsaVerify {
  public static void main(String[] args) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    byte[] data = new byte[300]; // about a token's signed part
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(keys.getPrivate());
    signer.update(data);
    byte[] signature = signer.sign();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int round = 0; round < 4; round++) {
      long cpu = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < 3000; i++) {
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(keys.getPublic());
        verifier.update(data);
        if (!verifier.verify(signature)) throw new IllegalStateException("did not verify");
      }
      System.out.printf("%s: %.1f µs per verify%n", System.getProperty("java.version"), (threads.getCurrentThreadCpuTime() - cpu) / 3000 / 1000.0);
    }
  }
}
