package dev.veil.smpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Share files, weight-mask files and plans read back as written, and malformed ones are refused by
 * name.
 */
class FilesTest {
  private static final FixedPoint FP = FixedPoint.DEFAULT;

  private static byte[] bytes(SharedMlp s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.write(out);
    return out.toByteArray();
  }

  @Test
  void shareAndMaskFilesRoundTrip() throws IOException {
    SharedMlp.Split split = SharedMlp.split(PrivacyTest.smallModel(4), FP, Prg.fresh());
    SharedMlp back = SharedMlp.read(new ByteArrayInputStream(bytes(split.party1())));
    assertEquals(split.party1().version(), back.version());
    assertArrayEquals(
        split.party1().layers().get(0).weightShare(), back.layers().get(0).weightShare());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    split.masks().write(out);
    WeightMasks masks = WeightMasks.read(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(split.masks().version(), masks.version());
    assertArrayEquals(split.masks().layers().get(1).mask(), masks.layers().get(1).mask());
  }

  @Test
  void malformedFilesAreRefusedNamingTheProblem() throws IOException {
    byte[] good = bytes(SharedMlp.split(PrivacyTest.smallModel(5), FP, Prg.fresh()).party0());
    IOException truncated =
        assertThrows(
            IOException.class,
            () ->
                SharedMlp.read(
                    new ByteArrayInputStream(java.util.Arrays.copyOf(good, good.length - 8))));
    assertTrue(truncated instanceof java.io.EOFException || truncated.getMessage() != null);
    byte[] extra = java.util.Arrays.copyOf(good, good.length + 1);
    assertTrue(
        assertThrows(IOException.class, () -> SharedMlp.read(new ByteArrayInputStream(extra)))
            .getMessage()
            .contains("after its last layer"));
    byte[] magic = good.clone();
    magic[0] = 'X';
    assertTrue(
        assertThrows(IOException.class, () -> SharedMlp.read(new ByteArrayInputStream(magic)))
            .getMessage()
            .contains("not a Veil model share file"));
    // a header claiming a huge layer is refused before anything that size is allocated
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(0x56534D57);
    out.writeByte(2);
    out.writeUTF("m");
    out.writeUTF("h");
    out.writeUTF("s");
    out.writeByte(0);
    out.writeByte(16);
    out.writeByte(1);
    out.writeInt(1 << 16);
    out.writeInt(1 << 16);
    assertTrue(
        assertThrows(
                IOException.class, () -> SharedMlp.read(new ByteArrayInputStream(b.toByteArray())))
            .getMessage()
            .contains("unsupported shape"));
    assertTrue(
        assertThrows(IOException.class, () -> WeightMasks.read(new ByteArrayInputStream(good)))
            .getMessage()
            .contains("not a Veil weight-mask file"));
  }

  @Test
  void plansRoundTripAndAreBounded() throws IOException {
    Plan plan =
        new Plan(
            List.of(
                new Plan.Item(Plan.Kind.MASKED_TRIPLE, 1, 784, 128, 0),
                new Plan.Item(Plan.Kind.COMPARISON, 128, 0, 0)));
    assertEquals(plan, Plan.fromBytes(plan.toBytes()));
    Plan huge = new Plan(List.of(new Plan.Item(Plan.Kind.COMPARISON, 1 << 20, 0, 0)));
    assertTrue(
        assertThrows(IllegalArgumentException.class, huge::checkBounds)
            .getMessage()
            .contains("at most"));
    byte[] negative = plan.toBytes();
    negative[5] = (byte) 0xff; // first item's n becomes negative
    assertThrows(IOException.class, () -> Plan.fromBytes(negative));
    assertThrows(IOException.class, () -> Plan.fromBytes(new byte[] {0, 0}));
  }
}
