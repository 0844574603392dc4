package dev.imagefactory.build.disk;

import dev.imagefactory.content.Reproducible;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;

/**
 * Pins the content id ({@code CID=}) in the descriptor embedded in a sparse VMDK: {@code qemu-img} draws it at random
 * and has no option for it, and it is the only byte that differs between two conversions of the same raw image into
 * the same file name (the extent line names the file, so the VMDK is always made as {@code disk.vmdk}). The
 * descriptor is text at {@code descriptorOffset} (sectors, little-endian u64 at byte 28 of the header "KDMV"),
 * {@code descriptorSize} sectors long (u64 at byte 36); the id is replaced by the pinned one.
 */
final class VmdkDescriptor {

    static final int SECTOR = 512;
    /** The pinned content id: {@link Reproducible#SOURCE_DATE_EPOCH}, as 8 hex digits like qemu-img writes. */
    static final String PINNED_CID = String.format("%08x", Reproducible.SOURCE_DATE_EPOCH);
    private static final byte[] MAGIC = "KDMV".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CID_KEY = "\nCID=".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_DESCRIPTOR_SECTORS = 2048;

    private VmdkDescriptor() {
    }

    static void pinContentId(Path vmdk) throws IOException {
        try (FileChannel channel = FileChannel.open(vmdk, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = read(channel, 0, SECTOR).order(ByteOrder.LITTLE_ENDIAN);
            if (!header.slice(0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
                throw new IOException("not a sparse VMDK (no KDMV header): " + vmdk);
            }
            long offset = header.getLong(28);
            long sectors = header.getLong(36);
            if (offset <= 0 || sectors <= 0 || sectors > MAX_DESCRIPTOR_SECTORS) {
                throw new IOException("VMDK without an embedded descriptor: " + vmdk);
            }
            byte[] descriptor = read(channel, offset * SECTOR, (int) sectors * SECTOR).array();
            channel.write(ByteBuffer.wrap(withPinnedCid(descriptor, vmdk)), offset * SECTOR);
        }
    }

    /**
     * The descriptor with its CID replaced by {@link #PINNED_CID}. qemu-img prints the id without leading zeros
     * ({@code %x}), so it is 1 to 8 digits long: the text after it moves by the difference, into (or out of) the
     * zero padding that fills the descriptor's sectors, so the result is the same whatever id was drawn.
     */
    static byte[] withPinnedCid(byte[] descriptor, Path vmdk) throws IOException {
        int at = indexOf(descriptor, CID_KEY);
        int digits = at < 0 ? 0 : hexRun(descriptor, at + CID_KEY.length);
        if (digits < 1 || digits > PINNED_CID.length()) {
            throw new IOException("VMDK descriptor without a CID of 1 to 8 hex digits: " + vmdk);
        }
        int textEnd = descriptor.length;
        while (textEnd > 0 && descriptor[textEnd - 1] == 0) {
            textEnd--;
        }
        int grows = PINNED_CID.length() - digits;
        if (textEnd + grows > descriptor.length) {
            throw new IOException("VMDK descriptor has no room to pin its CID: " + vmdk);
        }
        int value = at + CID_KEY.length;
        byte[] pinned = new byte[descriptor.length];
        System.arraycopy(descriptor, 0, pinned, 0, value);
        System.arraycopy(PINNED_CID.getBytes(StandardCharsets.US_ASCII), 0, pinned, value, PINNED_CID.length());
        System.arraycopy(descriptor, value + digits, pinned, value + PINNED_CID.length(), textEnd - value - digits);
        return pinned; // the rest stays zero padding
    }

    private static int hexRun(byte[] bytes, int from) {
        int i = from;
        while (i < bytes.length && HexFormat.isHexDigit(bytes[i])) {
            i++;
        }
        return i - from;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("VMDK ends inside its header or descriptor");
            }
        }
        return buffer;
    }
}
