package dev.imagefactory.build.disk;

import dev.imagefactory.content.Digests;
import dev.imagefactory.errors.InvalidInputException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SortedMap;

/**
 * Talos ADV (META partition) encoding, spec §6.5 (go-adv {@code talos}): two identical 256 KiB copies; magic1,
 * then records of tag (BE u32), size (BE u32) and value; zeros (tag 0 ends the list); at the end of each copy the
 * SHA-256 of the copy (computed with the checksum field zeroed, magic2 already in place) and magic2. Records are in
 * ascending key order, so the bytes are deterministic (Talos writes Go map order, which any reader accepts).
 */
public final class TalosAdv {

    public static final int BLOCK_SIZE = 0x40000;
    static final int MAGIC1 = 0x5a4b3c2d;
    static final int MAGIC2 = 0xa5b4c3d2;
    /** Bytes of one copy that records may use: all but magic1, the checksum and magic2. */
    static final int DATA_CAPACITY = BLOCK_SIZE - 4 - 32 - 4;
    static final int CHECKSUM_OFFSET = BLOCK_SIZE - 36;

    private TalosAdv() {
    }

    /**
     * The 512 KiB to write at the start of the META partition; throws InvalidInputException (400) over capacity.
     * Keys are META keys, 1..255: Talos' ADV tags are one byte and tag 0 marks the end of the list, so a key-0 value
     * would hide every record after it; it is refused (400) rather than silently lost.
     */
    public static byte[] encode(SortedMap<Integer, byte[]> values) {
        long used = 0;
        for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
            int key = e.getKey();
            if (key < 1 || key > 255) {
                throw new InvalidInputException("META key " + key + " cannot be stored in the META partition"
                        + " (keys are 1..255; tag 0 ends the list)");
            }
            used += 8L + e.getValue().length;
        }
        if (used > DATA_CAPACITY) {
            throw new InvalidInputException("META values take " + used + " bytes with their headers; the META"
                    + " partition holds at most " + DATA_CAPACITY);
        }
        ByteBuffer block = ByteBuffer.allocate(BLOCK_SIZE); // big-endian
        block.putInt(MAGIC1);
        for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
            block.putInt(e.getKey()).putInt(e.getValue().length).put(e.getValue());
        }
        block.putInt(BLOCK_SIZE - 4, MAGIC2);
        byte[] copy = block.array();
        System.arraycopy(Digests.raw("SHA-256", copy), 0, copy, CHECKSUM_OFFSET, 32);
        byte[] both = new byte[2 * BLOCK_SIZE];
        System.arraycopy(copy, 0, both, 0, BLOCK_SIZE);
        System.arraycopy(copy, 0, both, BLOCK_SIZE, BLOCK_SIZE);
        return both;
    }
}
