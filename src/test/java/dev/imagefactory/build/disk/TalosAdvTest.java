package dev.imagefactory.build.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.errors.InvalidInputException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The META partition's ADV (talos-imager.md §6.5), read back through the test-side {@link TalosAdvReader}. */
class TalosAdvTest {

    private static final int COPY = 0x40000;
    /** 256 KiB minus magic1 (4), checksum (32) and magic2 (4): the spec's 262104. */
    private static final int CAPACITY = 262104;

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static SortedMap<Integer, byte[]> values() {
        SortedMap<Integer, byte[]> values = new TreeMap<>();
        values.put(0x11, utf8("dual-boot"));
        values.put(0x0a, utf8("{\"externalIPs\":[\"1.2.3.4\"]}"));
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        values.put(0xff, binary);
        values.put(0x0c, new byte[0]);
        return values;
    }

    private Path file(byte[] bytes, long offset) throws IOException {
        Path f = dir.resolve("meta-" + offset + ".img");
        try (RandomAccessFile out = new RandomAccessFile(f.toFile(), "rw")) {
            out.setLength(offset + (1 << 20));
            out.seek(offset);
            out.write(bytes);
        }
        return f;
    }

    private static void assertSameValues(Map<Integer, byte[]> expected, Map<Integer, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), "key " + k));
    }

    @Test
    void roundTripsThroughTheReader() throws IOException {
        byte[] adv = TalosAdv.encode(values());
        assertEquals(2 * COPY, adv.length);
        assertEquals(TalosAdv.BLOCK_SIZE, COPY);
        assertSameValues(values(), TalosAdvReader.read(file(adv, 0), 0));
    }

    @Test
    void readsAtAnOffsetInsideADiskImage() throws IOException {
        long metaOffset = 4103L << 20; // META of the >= 1.11 dual-boot layout
        byte[] adv = TalosAdv.encode(new TreeMap<>(Map.of(0x11, utf8("dual-boot"))));
        Map<Integer, byte[]> read = TalosAdvReader.read(file(adv, metaOffset), metaOffset);
        assertEquals("dual-boot", new String(read.get(0x11), StandardCharsets.UTF_8));
        assertEquals(1, read.size());
    }

    @Test
    void layoutIsMagicRecordsInAscendingKeyOrderChecksumMagic() {
        byte[] adv = TalosAdv.encode(new TreeMap<>(Map.of(0x11, utf8("dual-boot"), 0x0a, utf8("ab"))));
        ByteBuffer b = ByteBuffer.wrap(adv);
        assertEquals(0x5a4b3c2d, b.getInt(0));
        assertEquals(0x0a, b.getInt(4));
        assertEquals(2, b.getInt(8));
        assertEquals("ab", new String(adv, 12, 2, StandardCharsets.UTF_8));
        assertEquals(0x11, b.getInt(14));
        assertEquals(9, b.getInt(18));
        assertEquals("dual-boot", new String(adv, 22, 9, StandardCharsets.UTF_8));
        assertTrue(isZero(adv, 31, COPY - 36), "zeros up to the checksum (tag 0 ends the list)");
        assertEquals(0xa5b4c3d2, b.getInt(COPY - 4));
        assertArrayEquals(Arrays.copyOfRange(adv, 0, COPY), Arrays.copyOfRange(adv, COPY, 2 * COPY), "two copies");
    }

    @Test
    void sameValuesGiveTheSameBytesWhateverTheInsertionOrder() {
        SortedMap<Integer, byte[]> reversed = new TreeMap<>();
        values().entrySet().stream().sorted(Map.Entry.<Integer, byte[]>comparingByKey().reversed())
                .forEach(e -> reversed.put(e.getKey(), e.getValue()));
        assertArrayEquals(TalosAdv.encode(values()), TalosAdv.encode(reversed));
    }

    @Test
    void noValuesIsAValidEmptyAdv() throws IOException {
        assertTrue(TalosAdvReader.read(file(TalosAdv.encode(new TreeMap<>()), 0), 0).isEmpty());
    }

    @Test
    void capacityIsTheSpecsLimit() throws IOException {
        // exactly full: one record of 8 + (capacity - 8) bytes
        byte[] full = new byte[CAPACITY - 8];
        Arrays.fill(full, (byte) 'x');
        Map<Integer, byte[]> read = TalosAdvReader.read(file(TalosAdv.encode(new TreeMap<>(Map.of(0x0a, full))), 0), 0);
        assertArrayEquals(full, read.get(0x0a));
        // one byte over, as one value or spread over two
        InvalidInputException one = assertThrows(InvalidInputException.class,
                () -> TalosAdv.encode(new TreeMap<>(Map.of(0x0a, new byte[CAPACITY - 7]))));
        assertTrue(one.getMessage().contains("262104"), one.getMessage());
        assertThrows(InvalidInputException.class, () -> TalosAdv.encode(new TreeMap<>(Map.of(
                0x0a, new byte[CAPACITY / 2 - 8], 0x0b, new byte[CAPACITY / 2 - 7]))));
    }

    @Test
    void keysOutsideOneToTwoFiftyFiveAreRefused() {
        assertThrows(InvalidInputException.class, () -> TalosAdv.encode(new TreeMap<>(Map.of(0, utf8("x")))));
        assertThrows(InvalidInputException.class, () -> TalosAdv.encode(new TreeMap<>(Map.of(256, utf8("x")))));
        assertThrows(InvalidInputException.class, () -> TalosAdv.encode(new TreeMap<>(Map.of(-1, utf8("x")))));
    }

    @Test
    void theReaderRejectsADamagedCopy() throws IOException {
        byte[] adv = TalosAdv.encode(values());
        byte[] flipped = adv.clone();
        flipped[COPY + 20] ^= 1; // a value byte of the second copy
        assertThrows(AssertionError.class, () -> TalosAdvReader.read(file(flipped, 0), 0));
        byte[] badMagic = adv.clone();
        badMagic[COPY - 1] ^= 1;
        assertThrows(AssertionError.class, () -> TalosAdvReader.read(file(badMagic, 0), 0));
        Path cut = dir.resolve("cut.img");
        Files.write(cut, Arrays.copyOf(adv, COPY + 100));
        assertThrows(AssertionError.class, () -> TalosAdvReader.read(cut, 0));
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
