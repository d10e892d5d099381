package dev.veil.runtime.spi.tls;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an unencrypted PEM private key with the JDK alone. The JDK decodes PKCS#8 ({@code PRIVATE
 * KEY}); the older forms OpenSSL still writes, PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC
 * PRIVATE KEY}), are the inner part of a PKCS#8 structure, so they are wrapped in one first.
 */
final class PemKeys {
  private static final Pattern BLOCK =
      Pattern.compile(
          "-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

  /** rsaEncryption, 1.2.840.113549.1.1.1, and the NULL parameters RFC 8017 asks for. */
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };

  /** id-ecPublicKey, 1.2.840.10045.2.1. */
  private static final byte[] EC_PUBLIC_KEY = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private PemKeys() {}

  /**
   * The first private key block in {@code pem}.
   *
   * @throws GeneralSecurityException when there is none or it cannot be decoded
   */
  static PrivateKey read(String pem) throws GeneralSecurityException {
    Matcher m = BLOCK.matcher(pem);
    if (!m.find()) throw new GeneralSecurityException("no complete PEM private key block");
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2));
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException("the key block is not valid base64", e);
    }
    return switch (m.group(1)) {
      case "RSA PRIVATE KEY" ->
          KeyFactory.getInstance("RSA")
              .generatePrivate(new PKCS8EncodedKeySpec(pkcs8(RSA_ALGORITHM, der)));
      case "EC PRIVATE KEY" ->
          KeyFactory.getInstance("EC")
              .generatePrivate(
                  new PKCS8EncodedKeySpec(
                      pkcs8(tlv(0x30, concat(EC_PUBLIC_KEY, sec1Curve(der))), der)));
      default -> pkcs8(der);
    };
  }

  /** A PKCS#8 key names its algorithm; the JDK's factories each accept only their own. */
  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException(
        "not a PKCS#8 RSA, EC or EdDSA key (" + last.getMessage() + ")", last);
  }

  /** PrivateKeyInfo: SEQUENCE { INTEGER 0, algorithm, OCTET STRING key }. */
  private static byte[] pkcs8(byte[] algorithm, byte[] key) {
    return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, key)));
  }

  /**
   * The named-curve OID in a SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, [0] curve, [1]
   * public key }.
   */
  private static byte[] sec1Curve(byte[] der) throws GeneralSecurityException {
    Der outer = new Der(der, 0);
    if (outer.tag != 0x30) throw new GeneralSecurityException("EC key is not a DER SEQUENCE");
    int at = outer.start;
    while (at < outer.end) {
      Der field = new Der(der, at);
      if (field.tag == 0xa0) {
        Der oid = new Der(der, field.start);
        if (oid.tag != 0x06) {
          throw new GeneralSecurityException("EC key has explicit curve parameters, not a name");
        }
        return java.util.Arrays.copyOfRange(der, field.start, oid.end);
      }
      at = field.end;
    }
    throw new GeneralSecurityException("EC key does not name its curve");
  }

  /** One DER element's tag and the bounds of its contents. */
  private static final class Der {
    final int tag;
    final int start;
    final int end;

    Der(byte[] der, int at) throws GeneralSecurityException {
      if (at + 2 > der.length) throw new GeneralSecurityException("truncated DER");
      tag = der[at] & 0xff;
      int length = der[at + 1] & 0xff;
      int p = at + 2;
      if (length > 0x80) {
        int bytes = length & 0x7f;
        if (bytes > 3 || p + bytes > der.length) throw new GeneralSecurityException("bad DER");
        length = 0;
        for (int i = 0; i < bytes; i++) length = (length << 8) | (der[p++] & 0xff);
      } else if (length == 0x80) {
        throw new GeneralSecurityException("indefinite DER length");
      }
      start = p;
      end = p + length;
      if (end > der.length) throw new GeneralSecurityException("truncated DER");
    }
  }

  private static byte[] tlv(int tag, byte[] contents) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(contents.length + 6);
    out.write(tag);
    int n = contents.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) out.write(n >>> (8 * i));
    }
    out.writeBytes(contents);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
