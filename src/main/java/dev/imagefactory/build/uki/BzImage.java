package dev.imagefactory.build.uki;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The kernel release ({@code uname -r}) written in an x86 bzImage's setup header, for the UKI's {@code .uname}
 * section (talos-imager.md §4.2): "HdrS" at 0x202, the LE16 at 0x20E is the version string's offset (non-zero and at
 * most setup_sects × 512, setup_sects being the byte at 0x1F1), the NUL-terminated string is at that offset + 0x200,
 * and the release is its text up to the first space. Other kernels (arm64 Image, ...) have no such header.
 */
public final class BzImage {

    /** The version string is short; a string without a NUL within this many bytes is not one. */
    private static final int MAX_VERSION_LENGTH = 4096;

    private BzImage() {
    }

    /** The kernel release, or empty when the file is not a bzImage or its header gives none. */
    public static Optional<String> kernelRelease(Path kernel) throws IOException {
        try (FileChannel channel = FileChannel.open(kernel, StandardOpenOption.READ)) {
            ByteBuffer header = read(channel, 0, 0x210);
            if (header.limit() < 0x210) {
                return Optional.empty();
            }
            if (header.get(0x202) != 'H' || header.get(0x203) != 'd' || header.get(0x204) != 'r'
                    || header.get(0x205) != 'S') {
                return Optional.empty();
            }
            int setupSectors = header.get(0x1f1) & 0xff;
            int offset = header.getShort(0x20e) & 0xffff;
            if (offset == 0 || offset > setupSectors * 512) {
                return Optional.empty();
            }
            ByteBuffer text = read(channel, offset + 0x200L, MAX_VERSION_LENGTH);
            int end = -1;
            for (int i = 0; i < text.limit(); i++) {
                if (text.get(i) == 0) {
                    end = i;
                    break;
                }
            }
            if (end < 0) {
                return Optional.empty();
            }
            int space = 0;
            while (space < end && text.get(space) != ' ') {
                space++;
            }
            if (space == 0) {
                return Optional.empty();
            }
            byte[] release = new byte[space];
            text.get(0, release);
            return Optional.of(new String(release, StandardCharsets.ISO_8859_1));
        }
    }

    /** Up to {@code length} bytes from {@code position}; fewer at the end of the file. */
    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                break;
            }
        }
        return buffer.flip();
    }
}
