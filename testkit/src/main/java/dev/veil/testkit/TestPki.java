package dev.veil.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates made by tests: a certificate authority and the server or client certificates it
 * signs, written as PEM files (keys as PKCS#8 or in the older PKCS#1 / SEC1 form), and JDK SSL
 * contexts that trust the authority.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** Key algorithms a test can ask for. */
  public enum KeyType {
    EC,
    RSA
  }

  /** A certificate and its key. */
  public record Issued(X509Certificate certificate, KeyPair keys, X509Certificate issuer) {
    /** Writes the chain (this certificate, then its issuer unless self-signed) as PEM. */
    public Path writeChain(Path file) {
      StringBuilder pem = new StringBuilder(pem(certificate));
      if (issuer != null && issuer != certificate) pem.append(pem(issuer));
      return write(file, pem.toString());
    }

    /** Writes the private key as PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    public Path writePkcs8Key(Path file) {
      try {
        return write(file, pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * Writes the private key as encrypted PKCS#8 ({@code BEGIN ENCRYPTED PRIVATE KEY}, PBE with
     * SHA-1 and 3DES).
     */
    public Path writeEncryptedPkcs8Key(Path file, char[] password) {
      try {
        org.bouncycastle.operator.OutputEncryptor encryptor =
            new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
                    org.bouncycastle.openssl.PKCS8Generator.PBE_SHA1_3DES)
                .setPassword(password)
                .build();
        return write(file, pem(new JcaPKCS8Generator(keys.getPrivate(), encryptor).generate()));
      } catch (IOException | org.bouncycastle.operator.OperatorCreationException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * Writes the PKCS#8 key followed by the chain, in one PEM file (a Kafka broker's PEM key
     * store).
     */
    public Path writeKeyAndChain(Path file) {
      try {
        StringBuilder pem =
            new StringBuilder(pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
        pem.append(pem(certificate));
        if (issuer != null && issuer != certificate) pem.append(pem(issuer));
        return write(file, pem.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * Writes the private key in OpenSSL's traditional form ({@code BEGIN RSA PRIVATE KEY} / {@code
     * BEGIN EC PRIVATE KEY}).
     */
    public Path writeTraditionalKey(Path file) {
      if (!keys.getPrivate().getAlgorithm().equals("EC"))
        return write(file, pem(keys.getPrivate()));
      // SEC1 as `openssl ec` writes it: with the curve and the public key, which the JDK's PKCS#8
      // form leaves out
      try {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        ECPrivateKey bare = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey full =
            new ECPrivateKey(
                256,
                bare.getKey(),
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(),
                info.getPrivateKeyAlgorithm().getParameters());
        return write(file, pem(new PemObject("EC PRIVATE KEY", full.getEncoded())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * An SSL context that trusts {@code authority} and presents this certificate (a client
     * certificate).
     */
    public SSLContext clientContext(Issued authority) {
      try {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(
            "me",
            keys.getPrivate(),
            new char[0],
            new java.security.cert.Certificate[] {certificate, issuer});
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), trustManagers(authority), null);
        return context;
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private TestPki() {}

  /** A self-signed certificate authority. */
  public static Issued authority(String name) {
    KeyPair keys = keyPair(KeyType.EC);
    X500Name subject = new X500Name("CN=" + name);
    X509Certificate cert =
        sign(
            subject,
            subject,
            keys,
            keys,
            Instant.now().minus(Duration.ofDays(1)),
            Instant.now().plus(Duration.ofDays(30)),
            true,
            false);
    return new Issued(cert, keys, cert);
  }

  /**
   * A server-and-client certificate for {@code localhost} / 127.0.0.1, valid from yesterday for 30
   * days.
   */
  public static Issued issue(Issued authority, String name, KeyType type) {
    return issue(
        authority,
        name,
        type,
        Instant.now().minus(Duration.ofDays(1)),
        Instant.now().plus(Duration.ofDays(30)));
  }

  /**
   * A server-and-client certificate for {@code localhost} / 127.0.0.1 valid between the given
   * instants.
   */
  public static Issued issue(
      Issued authority, String name, KeyType type, Instant notBefore, Instant notAfter) {
    KeyPair keys = keyPair(type);
    X509Certificate cert =
        sign(
            new X500Name("CN=" + name),
            new X500Name(authority.certificate().getSubjectX500Principal().getName()),
            keys,
            authority.keys(),
            notBefore,
            notAfter,
            false,
            true);
    return new Issued(cert, keys, authority.certificate());
  }

  /** An SSL context that trusts only {@code authority}. */
  public static SSLContext trusting(Issued authority) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trustManagers(authority), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  public static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, text);
      // a rename, so a reader never sees half a file
      return Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static javax.net.ssl.TrustManager[] trustManagers(Issued authority)
      throws GeneralSecurityException {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", authority.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      return tmf.getTrustManagers();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair(KeyType type) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(type.name());
      if (type == KeyType.EC) generator.initialize(new ECGenParameterSpec("secp256r1"));
      else generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(
      X500Name subject,
      X500Name issuer,
      KeyPair subjectKeys,
      KeyPair issuerKeys,
      Instant notBefore,
      Instant notAfter,
      boolean ca,
      boolean leaf) {
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(notBefore),
              Date.from(notAfter),
              subject,
              subjectKeys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        builder.addExtension(
            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      }
      if (leaf) {
        builder.addExtension(
            Extension.keyUsage,
            true,
            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.dNSName, "localhost"),
                  new GeneralName(
                      GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())
                }));
      }
      String algorithm =
          issuerKeys.getPrivate().getAlgorithm().equals("RSA")
              ? "SHA256withRSA"
              : "SHA256withECDSA";
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
    }
  }
}
