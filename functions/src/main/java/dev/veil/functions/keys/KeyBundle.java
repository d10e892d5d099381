package dev.veil.functions.keys;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A client's evaluation keys as uploaded to blob storage: three SEAL-serialized objects in a small
 * self-describing container, so that any SEAL client (node-seal, SEAL C++/.NET) can produce it.
 *
 * <pre>
 * offset  size  field
 * 0       8     magic "VEILKEYS" (ASCII)
 * 8       1     format version = 1
 * 9       1     section count n (2 or 3)
 * 10      ...   n sections, each: kind (u8), length (u32 little-endian), bytes
 *               kind 1 = EncryptionParameters, 2 = GaloisKeys, 3 = RelinKeys
 * </pre>
 *
 * Each section's bytes are exactly what SEAL's {@code save()} writes (its own 16-byte header included;
 * seeded and compressed forms allowed). Parameters and Galois keys are required; relinearization keys
 * only when the model multiplies ciphertexts. Each kind appears at most once and nothing may follow
 * the last section.
 */
public record KeyBundle(byte[] parameters, byte[] galoisKeys, byte[] relinKeys) {

    static final byte[] MAGIC = "VEILKEYS".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int KIND_PARAMETERS = 1;
    static final int KIND_GALOIS = 2;
    static final int KIND_RELIN = 3;

    public KeyBundle {
        if (parameters == null || parameters.length == 0) {
            throw new InvalidKeyBundleException("key bundle has no encryption parameters");
        }
        if (galoisKeys == null || galoisKeys.length == 0) {
            throw new InvalidKeyBundleException("key bundle has no Galois keys");
        }
    }

    public boolean hasRelinKeys() {
        return relinKeys != null && relinKeys.length > 0;
    }

    /** Bytes of the three SEAL objects (the container overhead is a few bytes). */
    public long sizeBytes() {
        return parameters.length + galoisKeys.length + (hasRelinKeys() ? relinKeys.length : 0);
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64, sizeBytes() + 32));
        out.writeBytes(MAGIC);
        out.write(VERSION);
        out.write(hasRelinKeys() ? 3 : 2);
        writeSection(out, KIND_PARAMETERS, parameters);
        writeSection(out, KIND_GALOIS, galoisKeys);
        if (hasRelinKeys()) {
            writeSection(out, KIND_RELIN, relinKeys);
        }
        return out.toByteArray();
    }

    private static void writeSection(ByteArrayOutputStream out, int kind, byte[] bytes) {
        out.write(kind);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
        out.writeBytes(bytes);
    }

    /** Parses a stored bundle, checking every declared length against the bytes actually present. */
    public static KeyBundle decode(byte[] data) {
        if (data.length < MAGIC.length + 2 || !Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new InvalidKeyBundleException("not a Veil key bundle (expected the 'VEILKEYS' header)");
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        in.position(MAGIC.length);
        int version = in.get() & 0xFF;
        if (version != VERSION) {
            throw new InvalidKeyBundleException("unsupported key bundle version " + version + " (expected " + VERSION + ")");
        }
        int count = in.get() & 0xFF;
        if (count < 2 || count > 3) {
            throw new InvalidKeyBundleException("key bundle must have 2 or 3 sections, found " + count);
        }
        byte[][] sections = new byte[4][];
        for (int i = 0; i < count; i++) {
            if (in.remaining() < 5) {
                throw new InvalidKeyBundleException("key bundle is truncated in section " + (i + 1));
            }
            int kind = in.get() & 0xFF;
            long length = in.getInt() & 0xFFFFFFFFL;
            if (kind < KIND_PARAMETERS || kind > KIND_RELIN) {
                throw new InvalidKeyBundleException("key bundle section " + (i + 1) + " has unknown kind " + kind);
            }
            if (sections[kind] != null) {
                throw new InvalidKeyBundleException("key bundle repeats section kind " + kind);
            }
            if (length > in.remaining()) {
                throw new InvalidKeyBundleException("key bundle section " + (i + 1) + " declares " + length
                    + " bytes but only " + in.remaining() + " remain");
            }
            sections[kind] = new byte[(int) length];
            in.get(sections[kind]);
        }
        if (in.hasRemaining()) {
            throw new InvalidKeyBundleException("key bundle has " + in.remaining() + " trailing bytes");
        }
        return new KeyBundle(sections[KIND_PARAMETERS], sections[KIND_GALOIS], sections[KIND_RELIN]);
    }
}
