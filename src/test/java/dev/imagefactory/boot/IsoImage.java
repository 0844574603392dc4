package dev.imagefactory.boot;

import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Reads a built ISO the way a machine or a user would: its ISO9660 tree through xorriso, and its EFI system
 * partition from the partition table (MBR type 0xEF, or the EFI System GUID in a GPT), independent of how it was made.
 */
public final class IsoImage {

    private static final ProcessRunner TOOLS = new ProcessRunner(Duration.ofMinutes(2));
    /** C12A7328-F81F-11D2-BA4B-00A0C93EC93B as stored in a GPT entry. */
    private static final byte[] EFI_SYSTEM_GUID = HexFormat.of().parseHex("28732ac11ff8d211ba4b00a0c93ec93b");
    private static final int SECTOR = 512;

    private final Path iso;

    public IsoImage(Path iso) {
        this.iso = iso;
    }

    /** Every regular file of the ISO9660 tree, as {@code /dir/name}, sorted. */
    public List<String> files() {
        String out = TOOLS.run(Command.of("xorriso", "-indev", iso.toString(), "-find", "/", "-type", "f")).stdout();
        return out.lines().map(l -> l.replaceAll("^'|'$", "")).sorted().toList();
    }

    /** One file of the ISO9660 tree. */
    public Path extract(String isoPath, Path to) {
        TOOLS.run(Command.of("xorriso", "-osirrox", "on", "-indev", iso.toString(), "-extract", isoPath, to.toString()));
        return to;
    }

    /** {@code xorriso -pvd_info} as "Name: value" lines. */
    public String pvdInfo() {
        return TOOLS.run(Command.of("xorriso", "-indev", iso.toString(), "-pvd_info")).stdout();
    }

    /** The appended EFI system partition, copied out into {@code to}; empty when the partition table has none. */
    public Optional<Path> extractEsp(Path to) throws IOException {
        try (FileChannel channel = FileChannel.open(iso, StandardOpenOption.READ)) {
            ByteBuffer mbr = read(channel, 0, SECTOR);
            long start = -1;
            long count = -1;
            for (int i = 0; i < 4; i++) {
                int entry = 0x1be + 16 * i;
                int type = mbr.get(entry + 4) & 0xff;
                if (type == 0xef) {
                    start = Integer.toUnsignedLong(mbr.getInt(entry + 8));
                    count = Integer.toUnsignedLong(mbr.getInt(entry + 12));
                } else if (type == 0xee) {
                    ByteBuffer header = read(channel, SECTOR, 92);
                    long entries = header.getLong(72);
                    int number = header.getInt(80);
                    int size = header.getInt(84);
                    for (int j = 0; j < number; j++) {
                        ByteBuffer e = read(channel, entries * SECTOR + (long) j * size, size);
                        byte[] guid = new byte[16];
                        e.get(0, guid);
                        if (Arrays.equals(guid, EFI_SYSTEM_GUID) && e.getLong(32) != 0) {
                            start = e.getLong(32);
                            count = e.getLong(40) - start + 1;
                            break;
                        }
                    }
                }
            }
            if (start < 0) {
                return Optional.empty();
            }
            try (InputStream in = Files.newInputStream(iso); OutputStream out = Files.newOutputStream(to)) {
                in.skipNBytes(start * SECTOR);
                long left = count * SECTOR;
                byte[] buffer = new byte[1 << 16];
                while (left > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        throw new IOException("the ESP runs past the end of " + iso);
                    }
                    out.write(buffer, 0, n);
                    left -= n;
                }
            }
            return Optional.of(to);
        }
    }

    private static ByteBuffer read(FileChannel channel, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                throw new IOException("short read at " + offset);
            }
        }
        return buffer.flip();
    }
}
