package dev.imagefactory.build.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A test-side reader of the Talos ADV (talos-imager.md §6.5), written from the spec rather than from
 * {@link TalosAdv} so that it checks the writer: reads both 256 KiB copies at {@code offset} of a META partition
 * image or a whole disk image, checks magic1, magic2 and the SHA-256 of each, checks that both copies decode to the
 * same records, and returns them (tag → value) in ascending tag order. Any violation throws {@link AssertionError}.
 */
public final class TalosAdvReader {

    private static final int COPY = 256 * 1024;

    private TalosAdvReader() {
    }

    public static Map<Integer, byte[]> read(Path metaPartitionOrImage, long offset) throws IOException {
        ByteBuffer both = ByteBuffer.allocate(2 * COPY);
        try (FileChannel ch = FileChannel.open(metaPartitionOrImage, StandardOpenOption.READ)) {
            while (both.hasRemaining()) {
                if (ch.read(both, offset + both.position()) < 0) {
                    throw new AssertionError("ADV at " + offset + " of " + metaPartitionOrImage
                            + " is cut short at " + both.position() + " bytes");
                }
            }
        }
        byte[] all = both.array();
        Map<Integer, byte[]> first = decode(Arrays.copyOfRange(all, 0, COPY), "first copy");
        Map<Integer, byte[]> second = decode(Arrays.copyOfRange(all, COPY, 2 * COPY), "second copy");
        if (!sameRecords(first, second)) {
            throw new AssertionError("the two ADV copies hold different records");
        }
        return first;
    }

    private static Map<Integer, byte[]> decode(byte[] copy, String which) {
        ByteBuffer b = ByteBuffer.wrap(copy); // big-endian
        int magic1 = b.getInt(0);
        int magic2 = b.getInt(COPY - 4);
        if (magic1 != 0x5a4b3c2d) {
            throw new AssertionError(which + ": magic1 is " + Integer.toHexString(magic1));
        }
        if (magic2 != 0xa5b4c3d2) {
            throw new AssertionError(which + ": magic2 is " + Integer.toHexString(magic2));
        }
        byte[] stored = Arrays.copyOfRange(copy, COPY - 36, COPY - 4);
        byte[] zeroed = copy.clone();
        Arrays.fill(zeroed, COPY - 36, COPY - 4, (byte) 0);
        byte[] computed = sha256(zeroed);
        if (!Arrays.equals(stored, computed)) {
            throw new AssertionError(which + ": SHA-256 " + HexFormat.of().formatHex(stored) + " but the block hashes to "
                    + HexFormat.of().formatHex(computed));
        }
        Map<Integer, byte[]> records = new TreeMap<>();
        int pos = 4;
        int end = COPY - 36;
        while (end - pos >= 8) {
            int tag = b.getInt(pos);
            if (tag == 0) {
                break;
            }
            long size = Integer.toUnsignedLong(b.getInt(pos + 4));
            if (size > end - pos - 8) {
                throw new AssertionError(which + ": tag " + tag + " of " + size + " bytes runs past the data area");
            }
            if (records.put(tag, Arrays.copyOfRange(copy, pos + 8, pos + 8 + (int) size)) != null) {
                throw new AssertionError(which + ": tag " + tag + " twice");
            }
            pos += 8 + (int) size;
        }
        return records;
    }

    private static boolean sameRecords(Map<Integer, byte[]> a, Map<Integer, byte[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        return a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), b.get(e.getKey())));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
