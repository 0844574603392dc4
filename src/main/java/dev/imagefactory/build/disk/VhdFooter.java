package dev.imagefactory.build.disk;

import dev.imagefactory.content.Reproducible;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Pins the two fields of a VHD footer that {@code qemu-img} fills from the clock and from the random source — the
 * creation time and the disk's unique id — so the same raw image gives the same VHD. The footer (512 bytes,
 * big-endian, Microsoft's VHD specification) is the file's last sector; a dynamic VHD has a copy of it at offset 0.
 * Its checksum, the one's complement of the byte sum with the checksum field counted as zero, is computed again.
 * qemu-img has no option for either field, hence this patch.
 */
final class VhdFooter {

    static final int SIZE = 512;
    static final byte[] COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    static final int TIMESTAMP = 24;
    static final int CURRENT_SIZE = 48;
    static final int DISK_TYPE = 60;
    static final int CHECKSUM = 64;
    static final int UNIQUE_ID = 68;
    static final int TYPE_FIXED = 2;
    static final int TYPE_DYNAMIC = 3;
    /** VHD times count seconds from 2000-01-01T00:00:00Z. */
    static final long VHD_EPOCH = 946_684_800L;
    /**
     * Every VHD we make has this unique id: a pinned value keeps the output reproducible, and deriving one from
     * the content would mean reading the whole image once more. Azure ignores the id of an uploaded page blob.
     */
    static final UUID PINNED_ID = UUID.nameUUIDFromBytes("image-factory vhd".getBytes(StandardCharsets.US_ASCII));

    private VhdFooter() {
    }

    /** Pins time and id in the footer of the VHD {@code vhd} (and in its copy at offset 0 if dynamic). */
    static void pin(Path vhd) throws IOException {
        try (FileChannel channel = FileChannel.open(vhd, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size < SIZE) {
                throw new IOException("not a VHD (shorter than its footer): " + vhd);
            }
            ByteBuffer footer = read(channel, size - SIZE);
            if (!hasCookie(footer)) {
                throw new IOException("not a VHD (no footer cookie): " + vhd);
            }
            pinFields(footer);
            channel.write(footer.rewind(), size - SIZE);
            if (footer.getInt(DISK_TYPE) == TYPE_DYNAMIC) {
                ByteBuffer copy = read(channel, 0);
                if (!hasCookie(copy)) {
                    throw new IOException("dynamic VHD without its footer copy at offset 0: " + vhd);
                }
                pinFields(copy);
                channel.write(copy.rewind(), 0);
            }
        }
    }

    /** The checksum the footer in {@code footer} (512 bytes) must carry. */
    static int checksum(ByteBuffer footer) {
        int sum = 0;
        for (int i = 0; i < SIZE; i++) {
            if (i < CHECKSUM || i >= CHECKSUM + 4) {
                sum += footer.get(i) & 0xff;
            }
        }
        return ~sum;
    }

    private static void pinFields(ByteBuffer footer) {
        footer.putInt(TIMESTAMP, (int) (Reproducible.SOURCE_DATE_EPOCH - VHD_EPOCH));
        footer.putLong(UNIQUE_ID, PINNED_ID.getMostSignificantBits());
        footer.putLong(UNIQUE_ID + 8, PINNED_ID.getLeastSignificantBits());
        footer.putInt(CHECKSUM, checksum(footer));
    }

    private static boolean hasCookie(ByteBuffer footer) {
        return footer.slice(0, COOKIE.length).equals(ByteBuffer.wrap(COOKIE));
    }

    private static ByteBuffer read(FileChannel channel, long position) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(SIZE);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("VHD ends inside its footer");
            }
        }
        return buffer;
    }
}
