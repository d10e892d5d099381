package dev.veil.runtime.spi.tls;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate chain and its private key read from PEM files and checked before a listener uses
 * them, so that a bad file is reported by name and with the problem (missing, not PEM, key does not
 * match the certificate, expired) instead of as a handshake failure later. The host's listeners and
 * function code that calls other parties over mutual TLS ({@link #sslContext()}) read them alike.
 *
 * @param chain the certificate chain's PEM, leaf first
 * @param key the private key's PEM
 * @param clientAuthorities the CA bundle's PEM, or {@code null}
 * @param leaf the chain's first certificate
 * @param certificates the whole chain
 * @param privateKey the decoded key, checked to match {@code leaf}
 */
public record PemCredentials(
    Buffer chain,
    Buffer key,
    Buffer clientAuthorities,
    X509Certificate leaf,
    List<X509Certificate> certificates,
    PrivateKey privateKey) {
  /** PEM files are small; a larger one is not what the setting should name. */
  private static final long MAX_FILE_BYTES = 1 << 20;

  private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");

  /** Reads and checks a chain, its key and optionally a CA bundle; blocking. */
  public static PemCredentials load(Path certificateFile, Path keyFile, Path caFile, Instant now) {
    byte[] chainPem = read(certificateFile, "certificate");
    byte[] keyPem = read(keyFile, "key");
    List<X509Certificate> chain = certificates(certificateFile, chainPem, "certificate");
    X509Certificate leaf = chain.get(0);
    if (leaf.getNotAfter().toInstant().isBefore(now)) {
      throw new IllegalArgumentException(
          "TLS certificate file "
              + certificateFile
              + ": the certificate for "
              + leaf.getSubjectX500Principal().getName()
              + " expired on "
              + leaf.getNotAfter().toInstant());
    }
    if (leaf.getNotBefore().toInstant().isAfter(now)) {
      throw new IllegalArgumentException(
          "TLS certificate file "
              + certificateFile
              + ": the certificate for "
              + leaf.getSubjectX500Principal().getName()
              + " is not valid before "
              + leaf.getNotBefore().toInstant());
    }
    PrivateKey privateKey = privateKey(keyFile, keyPem);
    if (!matches(privateKey, leaf.getPublicKey())) {
      throw new IllegalArgumentException(
          "TLS key file "
              + keyFile
              + " does not match the certificate in "
              + certificateFile
              + " ("
              + leaf.getSubjectX500Principal().getName()
              + ")");
    }
    Buffer authorities = null;
    if (caFile != null) {
      byte[] caPem = read(caFile, "client CA");
      certificates(caFile, caPem, "client CA");
      authorities = Buffer.buffer(caPem);
    }
    return new PemCredentials(
        Buffer.buffer(chainPem),
        Buffer.buffer(keyPem),
        authorities,
        leaf,
        List.copyOf(chain),
        privateKey);
  }

  /**
   * An SSL context that presents this chain with its key and trusts only the CAs of {@code
   * clientAuthorities}: one side of mutual TLS, for calls to a party that requires a client
   * certificate from those CAs and presents one of theirs.
   *
   * @throws IllegalStateException when no CA bundle was loaded
   */
  public SSLContext sslContext() {
    if (clientAuthorities == null) {
      throw new IllegalStateException("mutual TLS needs a CA bundle to trust");
    }
    try {
      char[] password = new char[0]; // the store lives in memory only
      KeyStore mine = KeyStore.getInstance("PKCS12");
      mine.load(null, null);
      mine.setKeyEntry("key", privateKey, password, certificates.toArray(new Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(mine, password);
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      int i = 0;
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(clientAuthorities.getBytes()))) {
        trusted.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(
          "cannot set up mutual TLS for " + leaf.getSubjectX500Principal().getName() + ": " + e, e);
    }
  }

  private static byte[] read(Path file, String what) {
    try {
      if (!Files.isRegularFile(file))
        throw new IllegalArgumentException("TLS " + what + " file " + file + " does not exist");
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new IllegalArgumentException(
            "TLS "
                + what
                + " file "
                + file
                + " is larger than "
                + MAX_FILE_BYTES
                + " bytes; it is not a PEM file");
      }
      byte[] bytes = Files.readAllBytes(file);
      if (!BEGIN.matcher(new String(bytes, StandardCharsets.US_ASCII)).find()) {
        throw new IllegalArgumentException(
            "TLS " + what + " file " + file + " is not PEM (no -----BEGIN ...----- line)");
      }
      return bytes;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "TLS " + what + " file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> certificates(Path file, byte[] pem, String what) {
    if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(
          "TLS " + what + " file " + file + " holds no -----BEGIN CERTIFICATE----- block");
    }
    try {
      List<X509Certificate> out = new ArrayList<>();
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      factory
          .generateCertificates(new ByteArrayInputStream(pem))
          .forEach(c -> out.add((X509Certificate) c));
      if (out.isEmpty())
        throw new IllegalArgumentException(
            "TLS " + what + " file " + file + " holds no certificate");
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "TLS "
              + what
              + " file "
              + file
              + " holds a certificate that cannot be read: "
              + e.getMessage(),
          e);
    }
  }

  private static PrivateKey privateKey(Path file, byte[] keyPem) {
    List<String> kinds = new ArrayList<>();
    Matcher m = BEGIN.matcher(new String(keyPem, StandardCharsets.US_ASCII));
    while (m.find()) kinds.add(m.group(1));
    if (kinds.contains("ENCRYPTED PRIVATE KEY")) {
      throw new IllegalArgumentException(
          "TLS key file "
              + file
              + " holds an encrypted key; Veil reads unencrypted PEM keys"
              + " (protect the file with mode 600 instead)");
    }
    if (Collections.disjoint(kinds, List.of("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"))) {
      throw new IllegalArgumentException(
          "TLS key file "
              + file
              + " holds no private key (-----BEGIN PRIVATE KEY-----,"
              + " RSA PRIVATE KEY or EC PRIVATE KEY), found "
              + kinds);
    }
    try {
      return PemKeys.read(new String(keyPem, StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "TLS key file " + file + " holds a key that cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * Signs a random challenge with the private key and verifies it with the certificate's public
   * key.
   */
  private static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
    String algorithm =
        switch (privateKey.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "EdDSA", "Ed25519" -> "Ed25519";
          case "Ed448" -> "Ed448";
          default -> null;
        };
    if (algorithm == null) return false;
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
