package dev.veil.he;

/** A CKKS ciphertext (in NTT form, as SEAL keeps them). Immutable: operations return new ciphertexts. */
public final class Ciphertext extends NativeObject {
    Ciphertext(long handle) {
        super(CIPHERTEXT, handle);
    }

    /** Reads a SEAL-serialized ciphertext (plain or seeded, any compression) of this context. */
    public static Ciphertext load(CkksContext context, byte[] serialized) {
        return new Ciphertext(Serialized.load(CIPHERTEXT, context, serialized));
    }

    public byte[] save(Compression compression) {
        return Serialized.save(CIPHERTEXT, this, compression);
    }

    public ParmsId parmsId() {
        return Serialized.parmsId(CIPHERTEXT, this);
    }

    public double scale() {
        return Serialized.scale(CIPHERTEXT, this);
    }

    /** Number of polynomials: 2 when fresh or relinearized, 3 after a multiplication. */
    public int size() {
        try {
            return Native.ciphertextSize(handle());
        } finally {
            keepAlive(this, null, null);
        }
    }
}
