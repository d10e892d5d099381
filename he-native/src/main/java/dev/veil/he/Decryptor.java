package dev.veil.he;

/** Decrypts ciphertexts with the secret key (client side and tests). */
public final class Decryptor extends NativeObject {
  public Decryptor(CkksContext context, SecretKey secretKey) {
    super(DECRYPTOR, create(context, secretKey));
  }

  private static long create(CkksContext context, SecretKey secretKey) {
    try {
      return Native.decryptorCreate(context.handle(), secretKey.handle());
    } finally {
      keepAlive(context, secretKey, null);
    }
  }

  public Plaintext decrypt(Ciphertext ciphertext) {
    try {
      return new Plaintext(Native.decrypt(handle(), ciphertext.handle()));
    } finally {
      keepAlive(this, ciphertext, null);
    }
  }
}
