package dev.veil.he;

/**
 * Encrypts plaintexts with a public key (anyone) or with the secret key (the client; allows the
 * smaller seeded form). Randomness comes from the operating system; SEAL decrypts the results.
 */
public final class Encryptor extends NativeObject {
  private final CkksContext context;
  private final boolean hasPublicKey;

  public Encryptor(CkksContext context, PublicKey publicKey) {
    super(ENCRYPTOR, create(context, publicKey, null));
    this.context = context;
    this.hasPublicKey = true;
  }

  public Encryptor(CkksContext context, SecretKey secretKey) {
    super(ENCRYPTOR, create(context, null, secretKey));
    this.context = context;
    this.hasPublicKey = false;
  }

  private static long create(CkksContext context, PublicKey publicKey, SecretKey secretKey) {
    try {
      return Native.encryptorCreate(
          context.handle(),
          publicKey == null ? 0 : publicKey.handle(),
          secretKey == null ? 0 : secretKey.handle());
    } finally {
      keepAlive(context, publicKey, secretKey);
    }
  }

  /** Encrypts with whichever key this encryptor holds. */
  public Ciphertext encrypt(Plaintext plain) {
    try {
      return new Ciphertext(
          hasPublicKey
              ? Native.encrypt(handle(), plain.handle())
              : Native.encryptSymmetric(handle(), plain.handle()));
    } finally {
      keepAlive(this, plain, null);
    }
  }

  /** Secret-key encryption saved in SEAL's seeded form (second polynomial replaced by its seed). */
  public byte[] encryptSeeded(Plaintext plain, Compression compression) {
    if (hasPublicKey) {
      throw new HeException(
          "seeded encryption needs the secret key; this encryptor holds a public key");
    }
    try {
      return Native.encryptSymmetricSeeded(
          context.handle(), handle(), plain.handle(), compression.code);
    } finally {
      keepAlive(this, plain, context);
    }
  }
}
