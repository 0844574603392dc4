package dev.imagefactory.build.disk;

import dev.imagefactory.content.Digests;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * A GUID partition table as Talos' imager lays it out in image mode (talos-imager.md §6.2, go-blockdevice v2):
 * protective MBR, primary header at LBA 1, 128 entries of 128 bytes at LBA 2 + the overlay's offset, backup entries
 * and header at the end, 1 MiB alignment, deterministic GUIDs.
 *
 * <p>Hand-written on purpose: there is no maintained Java GPT library, and the partitioning tools are a poor fit
 * for what the image needs: exact bytes that stay the same across tool versions (a reproducible image), the header
 * values go-blockdevice writes (first usable LBA rounded up to 1 MiB, a primary entries array moved by the overlay's
 * offset while the backup stays at the end), Talos' deterministic GUIDs, and writes into a sparse image that touch
 * only the table's own bytes (no tool-side wiping, the MBR boot code left to GRUB's boot.img). The format is small
 * and fully specified (UEFI 2.x §5.3); tests read the result back through sfdisk, sgdisk and fdisk.
 */
public final class Gpt {

    public static final UUID EFI_SYSTEM = UUID.fromString("c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
    public static final UUID BIOS_BOOT = UUID.fromString("21686148-6449-6e6f-744e-656564454649");
    public static final UUID LINUX_FILESYSTEM = UUID.fromString("0fc63daf-8483-4772-8e79-3d69d8477de4");
    /** Attribute bit 2: legacy BIOS bootable (set on the BIOS boot partition). */
    public static final long LEGACY_BIOS_BOOTABLE = 1L << 2;

    /** The label whose GUIDFromLabel is the disk GUID in image mode. */
    static final String DISK_LABEL = "talos-image-disk";
    static final int ENTRY_COUNT = 128;
    static final int ENTRY_SIZE = 128;
    static final int ENTRIES_BYTES = ENTRY_COUNT * ENTRY_SIZE;
    static final int HEADER_SIZE = 92;
    /** Partition names are 36 UTF-16LE code units (72 bytes). */
    static final int NAME_UNITS = 36;
    private static final long ALIGNMENT_BYTES = 1 << 20;
    /** Granularity of writeExactly: a stretch of zeros this long is skipped where the file already holds zeros. */
    private static final int CHUNK = 512;

    private Gpt() {
    }

    /** Talos' GUIDFromLabel: UUID version 8 from SHA-256(16 zero bytes ‖ label), spec §6.2. */
    public static UUID guidFromLabel(String label) {
        // the nil UUID as name space, then the name
        byte[] hash = Digests.raw("SHA-256", new byte[16], label.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x80); // version 8
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // RFC 4122 variant
        ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(b.getLong(), b.getLong());
    }

    /**
     * Lays out partitions per §6.2: 1 MiB alignment, first usable LBA rounded up to it, packed in order, exact
     * sizes, 0 = rest; entriesOffsetSectors moves the primary entries array (overlay partitionOptions.offset).
     * Refuses (IllegalArgumentException) a layout that does not fit. Partition GUID = guidFromLabel(label).
     *
     * <p>A size-0 ("rest") partition ends on the last 1 MiB boundary before the backup entries (the end of the
     * free range rounded down to the alignment), so it stays aligned at both ends; requests after it do not fit.
     */
    public static List<GptPartition> layout(int sectorSize, long diskSizeBytes, long entriesOffsetSectors,
            List<PartitionRequest> requests) {
        Geometry g = Geometry.of(sectorSize, diskSizeBytes, entriesOffsetSectors);
        if (requests.size() > ENTRY_COUNT) {
            throw new IllegalArgumentException("at most " + ENTRY_COUNT + " partitions, not " + requests.size());
        }
        Set<String> labels = new HashSet<>();
        List<GptPartition> out = new ArrayList<>(requests.size());
        long cursor = g.firstUsable;
        for (PartitionRequest r : requests) {
            checkLabel(r.label());
            if (!labels.add(r.label())) {
                throw new IllegalArgumentException("duplicate partition label " + r.label()
                        + " (its GUID is derived from the label)");
            }
            if (r.sizeBytes() < 0 || r.sizeBytes() % sectorSize != 0) {
                throw new IllegalArgumentException("partition " + r.label() + ": size " + r.sizeBytes()
                        + " is not a multiple of the " + sectorSize + "-byte sector");
            }
            long first = g.alignUp(cursor);
            long last;
            if (r.sizeBytes() == 0) {
                last = g.alignDown(g.lastUsable + 1) - 1;
            } else {
                last = first + r.sizeBytes() / sectorSize - 1;
            }
            if (last < first || last > g.lastUsable) {
                throw new IllegalArgumentException("partition " + r.label() + " does not fit: the disk of "
                        + diskSizeBytes + " bytes has usable sectors " + g.firstUsable + ".." + g.lastUsable
                        + ", the partition would take " + first + ".." + last);
            }
            out.add(new GptPartition(r.label(), r.type(), guidFromLabel(r.label()), first, last, r.attributes()));
            cursor = last + 1;
        }
        return List.copyOf(out);
    }

    /**
     * Writes the protective MBR (§6.2 bytes exactly), primary header + 128×128-byte entries (at LBA 2 + offset),
     * backup entries + header at the end, CRC32s, disk GUID = guidFromLabel("talos-image-disk"), into the existing
     * (sparse) file {@code disk} of exactly diskSizeBytes, without touching any other byte.
     *
     * <p>Only the table's own bytes are written: MBR bytes 446–511 (the first 446 are boot code, GRUB's
     * {@code boot.img} goes there), the two header sectors and the two entry arrays. Zero stretches of those are
     * written only where the file does not already hold zeros, so a fresh sparse file stays sparse.
     */
    public static void write(Path disk, int sectorSize, long diskSizeBytes, long entriesOffsetSectors,
            List<GptPartition> partitions) throws IOException {
        Geometry g = Geometry.of(sectorSize, diskSizeBytes, entriesOffsetSectors);
        checkPartitions(g, partitions);
        long actualSize = Files.size(disk);
        if (actualSize != diskSizeBytes) {
            throw new IllegalArgumentException(disk + " has " + actualSize + " bytes, not " + diskSizeBytes);
        }
        byte[] entries = entries(partitions);
        CRC32 crc = new CRC32();
        crc.update(entries);
        long entriesCrc = crc.getValue();
        long backupEntriesLba = g.lastLba - g.entriesSectors;
        byte[] primary = header(g, 1, g.lastLba, g.primaryEntriesLba, entriesCrc);
        byte[] backup = header(g, g.lastLba, 1, backupEntriesLba, entriesCrc);
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            writeExactly(ch, 446, protectiveMbrTable(g));
            writeExactly(ch, g.primaryEntriesLba * sectorSize, entries);
            writeExactly(ch, backupEntriesLba * sectorSize, entries);
            writeExactly(ch, (long) sectorSize, primary);
            writeExactly(ch, g.lastLba * sectorSize, backup);
            ch.force(false);
        }
    }

    /** Bytes 446–511 of sector 0: one 0xEE entry covering the disk, three empty entries, the 55AA signature. */
    static byte[] protectiveMbrTable(Geometry g) {
        ByteBuffer b = ByteBuffer.allocate(66).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x00); // not bootable (legacyBIOSSupport is not used in image mode)
        b.put(new byte[] {0x00, 0x02, 0x00}); // start CHS
        b.put((byte) 0xEE); // GPT protective
        b.put(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}); // end CHS
        b.putInt(1); // start LBA
        b.putInt((int) Math.min(g.lastLba, 0xFFFFFFFFL)); // size in sectors
        b.position(64);
        b.put((byte) 0x55).put((byte) 0xAA);
        return b.array();
    }

    private static byte[] header(Geometry g, long myLba, long alternateLba, long entriesLba, long entriesCrc) {
        ByteBuffer b = ByteBuffer.allocate(g.sectorSize).order(ByteOrder.LITTLE_ENDIAN);
        b.put("EFI PART".getBytes(StandardCharsets.US_ASCII));
        b.putInt(0x00010000); // revision 1.0
        b.putInt(HEADER_SIZE);
        b.putInt(0); // header CRC32, filled below
        b.putInt(0); // reserved
        b.putLong(myLba);
        b.putLong(alternateLba);
        b.putLong(g.firstUsable);
        b.putLong(g.lastUsable);
        b.put(guidBytes(guidFromLabel(DISK_LABEL)));
        b.putLong(entriesLba);
        b.putInt(ENTRY_COUNT);
        b.putInt(ENTRY_SIZE);
        b.putInt((int) entriesCrc);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, HEADER_SIZE);
        b.putInt(16, (int) crc.getValue());
        return b.array();
    }

    private static byte[] entries(List<GptPartition> partitions) {
        ByteBuffer b = ByteBuffer.allocate(ENTRIES_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < partitions.size(); i++) {
            GptPartition p = partitions.get(i);
            b.position(i * ENTRY_SIZE);
            b.put(guidBytes(p.type()));
            b.put(guidBytes(p.guid()));
            b.putLong(p.firstLba());
            b.putLong(p.lastLba());
            b.putLong(p.attributes());
            b.put(p.label().getBytes(StandardCharsets.UTF_16LE));
        }
        return b.array();
    }

    /** A GUID as GPT stores it: the first three fields little-endian, the last eight bytes as written. */
    static byte[] guidBytes(UUID uuid) {
        ByteBuffer big = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        byte[] b = big.array();
        return new byte[] {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
            b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]};
    }

    /**
     * Makes the file hold exactly {@code bytes} at {@code position}: non-zero chunks are written, zero chunks only
     * where the file holds something else, so holes of a sparse file stay holes.
     */
    private static void writeExactly(FileChannel ch, long position, byte[] bytes) throws IOException {
        ByteBuffer existing = ByteBuffer.allocate(CHUNK);
        for (int off = 0; off < bytes.length; off += CHUNK) {
            int len = Math.min(CHUNK, bytes.length - off);
            boolean zero = isZero(bytes, off, len);
            if (zero) {
                existing.clear().limit(len);
                while (existing.hasRemaining() && ch.read(existing, position + off + existing.position()) >= 0) {
                    // a positional read may return short; keep reading until the chunk is full or at EOF
                }
                if (isZero(existing.array(), 0, existing.position())) {
                    continue;
                }
            }
            ByteBuffer out = ByteBuffer.wrap(bytes, off, len);
            while (out.hasRemaining()) {
                ch.write(out, position + out.position()); // out.position() starts at off
            }
        }
    }

    private static boolean isZero(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static void checkLabel(String label) {
        if (label == null || label.isEmpty()) {
            throw new IllegalArgumentException("a partition needs a label");
        }
        if (label.getBytes(StandardCharsets.UTF_16LE).length > 2 * NAME_UNITS) {
            throw new IllegalArgumentException("partition label longer than " + NAME_UNITS + " UTF-16 units: "
                    + label);
        }
    }

    private static void checkPartitions(Geometry g, List<GptPartition> partitions) {
        if (partitions.size() > ENTRY_COUNT) {
            throw new IllegalArgumentException("at most " + ENTRY_COUNT + " partitions, not " + partitions.size());
        }
        long previousLast = g.firstUsable - 1;
        for (GptPartition p : partitions) {
            checkLabel(p.label());
            if (p.firstLba() <= previousLast || p.lastLba() < p.firstLba() || p.lastLba() > g.lastUsable) {
                throw new IllegalArgumentException("partition " + p.label() + " (" + p.firstLba() + ".."
                        + p.lastLba() + ") overlaps another or leaves the usable sectors " + g.firstUsable + ".."
                        + g.lastUsable);
            }
            previousLast = p.lastLba();
        }
    }

    /** Where the table's pieces go for one sector size, disk size and entries offset. */
    record Geometry(int sectorSize, long lastLba, long entriesSectors, long alignment, long primaryEntriesLba,
            long firstUsable, long lastUsable) {

        static Geometry of(int sectorSize, long diskSizeBytes, long entriesOffsetSectors) {
            if (sectorSize != 512 && sectorSize != 4096) {
                throw new IllegalArgumentException("sector size must be 512 or 4096, not " + sectorSize);
            }
            if (diskSizeBytes <= 0 || diskSizeBytes % sectorSize != 0) {
                throw new IllegalArgumentException("disk size " + diskSizeBytes + " is not a positive multiple of "
                        + sectorSize);
            }
            if (entriesOffsetSectors < 0) {
                throw new IllegalArgumentException("negative entries offset " + entriesOffsetSectors);
            }
            long lastLba = diskSizeBytes / sectorSize - 1;
            long entriesSectors = (ENTRIES_BYTES + sectorSize - 1) / sectorSize;
            long alignment = ALIGNMENT_BYTES / sectorSize;
            long primaryEntriesLba = 2 + entriesOffsetSectors;
            long firstUsable = ceilTo(primaryEntriesLba + entriesSectors, alignment);
            long lastUsable = lastLba - 1 - entriesSectors;
            if (firstUsable > lastUsable) {
                throw new IllegalArgumentException("disk of " + diskSizeBytes + " bytes is too small for a GPT");
            }
            return new Geometry(sectorSize, lastLba, entriesSectors, alignment, primaryEntriesLba, firstUsable,
                    lastUsable);
        }

        long alignUp(long lba) {
            return ceilTo(lba, alignment);
        }

        long alignDown(long lba) {
            return lba / alignment * alignment;
        }

        private static long ceilTo(long value, long multiple) {
            return (value + multiple - 1) / multiple * multiple;
        }
    }
}
