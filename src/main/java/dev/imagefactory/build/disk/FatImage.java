package dev.imagefactory.build.disk;

import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A FAT32 partition image (the EFI partition of a disk image, talos-imager.md §6.4), made unprivileged:
 * {@code mkfs.vfat -F 32 -n <label> --invariant -S <sector> -s <sectors per cluster>}, then the tree copied in by
 * mtools with pinned times.
 *
 * <p><b>Cluster size.</b> FAT32 is FAT32 only with at least 65525 clusters: readers that go by the cluster count
 * (mtools, UEFI firmware, the FAT specification) take a smaller one for FAT16, and mcopy then fails with "Error
 * reading FAT". {@code -s} is the largest cluster of at most 4 KiB (dosfstools' own choice for FAT32 volumes up to
 * 8 GiB, and the page size) that still leaves that many clusters: 4 KiB for the 1101 and 2101 MiB ESPs of sd-boot
 * and dual-boot, 1 KiB for the 100 MiB GRUB ESP with 512-byte sectors. With 4096-byte sectors a cluster is at least
 * 4 KiB, so a FAT32 volume needs about 260 MiB: the 100 MiB GRUB ESP cannot be FAT32 then, and is refused (400).
 * mtools 4.0.32 reads and writes 4096-byte-sector FAT32 as it is ({@code FatImageTest}), so no
 * {@code MTOOLS_SKIP_CHECK}: that only relaxes geometry checks and would not make a too-small FAT32 readable either.
 *
 * <p><b>Reproducible.</b> {@code --invariant} pins the serial number and boot sector; mtools stamps the directories
 * it makes and the files it copies (without {@code -m}, which would take the files' own mtimes) with
 * {@code SOURCE_DATE_EPOCH} (set by {@link ProcessRunner}), in local time, so mtools runs with {@code TZ=UTC}. The
 * source files' times do not matter, so they are neither read nor pinned: a tree may hard-link files it shares with
 * the cache. {@code mcopy -s} would walk directories in the
 * host file system's order (ext4: by a per-file-system hash), which would make the directory entries and cluster
 * allocation differ between machines; so each directory is made with {@code mmd} and its files are copied with one
 * {@code mcopy} each, in name order: files first, then subdirectories.
 */
public final class FatImage {

    /** The fewest clusters of a FAT32 file system (Microsoft's FAT specification). */
    static final long FAT32_MIN_CLUSTERS = 65525;
    /** Room for the reserved sectors and the two FATs when counting clusters from the volume size, as mkfs does. */
    private static final long OVERHEAD_CLUSTERS = 2048;
    private static final int MAX_CLUSTER_BYTES = 4096;
    private static final Map<String, String> MTOOLS_ENV = Map.of("TZ", "UTC");

    private FatImage() {
    }

    /**
     * Makes {@code image} (replaced, sparse, exactly {@code sizeBytes}) and copies every entry of {@code sourceDir}
     * into its root. On failure nothing is left behind.
     *
     * @param sectorSize 512 or 4096
     * @param label the volume label, at most 11 characters
     * @throws InvalidInputException when {@code sizeBytes} cannot hold FAT32 with {@code sectorSize}
     */
    public static void build(ProcessRunner runner, Path image, long sizeBytes, int sectorSize, String label,
            Path sourceDir) throws IOException {
        int sectorsPerCluster = sectorsPerCluster(sizeBytes, sectorSize);
        checkSource(sourceDir);
        boolean done = false;
        try {
            format(runner, image, sizeBytes, sectorSize, sectorsPerCluster, label);
            copyDirectory(runner, image.toString(), sourceDir, "::");
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(image);
            }
        }
    }

    /**
     * Makes in {@code disk}, at {@code offset}, the file system that {@link #build} makes in an image of its own,
     * byte for byte, without that image being copied in: reading a partition image of 1–2 GiB to copy it costs the
     * kernel a zeroed page for every page of its holes (~5 s for the 2 GiB ESP of a dual-boot disk). mkfs.vfat
     * formats a sparse image of the partition's size in {@code scratch} (the same geometry and boot sector as
     * before); the part of it mkfs writes (reserved sectors, the FATs, the root directory's cluster) goes into the
     * disk, and mtools copies the tree straight into the disk ({@code disk@@offset}).
     *
     * @param offset the partition's first byte, MiB-aligned
     */
    public static void buildInto(ProcessRunner runner, Path disk, long offset, long sizeBytes, int sectorSize,
            String label, Path sourceDir, Path scratch) throws IOException {
        int sectorsPerCluster = sectorsPerCluster(sizeBytes, sectorSize);
        checkSource(sourceDir);
        Path image = scratch.resolve("fat-" + label + ".img");
        try {
            format(runner, image, sizeBytes, sectorSize, sectorsPerCluster, label);
            copyFormatted(image, disk, offset);
        } finally {
            Files.deleteIfExists(image);
        }
        copyDirectory(runner, disk + "@@" + offset, sourceDir, "::");
    }

    private static void checkSource(Path sourceDir) throws IOException {
        if (!Files.isDirectory(sourceDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(sourceDir + " is not a directory");
        }
    }

    private static void format(ProcessRunner runner, Path image, long sizeBytes, int sectorSize, int sectorsPerCluster,
            String label) throws IOException {
        Files.deleteIfExists(image);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(sizeBytes);
        }
        runner.run(Command.of("mkfs.vfat", "-F", "32", "-n", label, "--invariant", "-S",
                Integer.toString(sectorSize), "-s", Integer.toString(sectorsPerCluster), image.toString()));
    }

    /**
     * Copies what mkfs.vfat wrote into a fresh FAT32 image (everything up to the end of the root directory's cluster,
     * the first of the data area; the rest is holes) into {@code disk} at {@code offset}, from the boot sector's
     * fields: bytes per sector (0x0B), sectors per cluster (0x0D), reserved sectors (0x0E), FATs (0x10), sectors
     * per FAT (0x24).
     */
    static void copyFormatted(Path image, Path disk, long offset) throws IOException {
        try (FileChannel from = FileChannel.open(image, StandardOpenOption.READ);
                FileChannel to = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            ByteBuffer boot = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
            if (from.read(boot, 0) != boot.capacity()) {
                throw new IOException("no boot sector in " + image);
            }
            long bytesPerSector = Short.toUnsignedLong(boot.getShort(0x0B));
            long sectorsPerCluster = Byte.toUnsignedLong(boot.get(0x0D));
            long reserved = Short.toUnsignedLong(boot.getShort(0x0E));
            long fats = Byte.toUnsignedLong(boot.get(0x10));
            long sectorsPerFat = Integer.toUnsignedLong(boot.getInt(0x24));
            long length = (reserved + fats * sectorsPerFat + sectorsPerCluster) * bytesPerSector;
            if (bytesPerSector == 0 || length > from.size()) {
                throw new IOException("not a fresh FAT32 image: " + image);
            }
            for (long done = 0; done < length; ) {
                done += from.transferTo(done, length - done, to.position(offset + done));
            }
        }
    }

    /**
     * {@code mkfs.vfat -s}: the largest power of two, up to 4 KiB per cluster, that leaves at least 65525 (+2048)
     * clusters.
     *
     * @throws InvalidInputException when even one sector per cluster leaves too few
     */
    static int sectorsPerCluster(long sizeBytes, int sectorSize) {
        if (sectorSize != 512 && sectorSize != 4096) {
            throw new IllegalArgumentException("sector size " + sectorSize + " is neither 512 nor 4096");
        }
        long sectors = sizeBytes / sectorSize;
        for (int spc = Math.max(1, MAX_CLUSTER_BYTES / sectorSize); spc >= 1; spc /= 2) {
            if (sectors / spc >= FAT32_MIN_CLUSTERS + OVERHEAD_CLUSTERS) {
                return spc;
            }
        }
        throw new InvalidInputException(String.format("a FAT32 partition of %d MiB cannot have %d-byte sectors:"
                + " it needs at least %d clusters of at least one sector", sizeBytes >> 20, sectorSize,
                FAT32_MIN_CLUSTERS));
    }

    /**
     * Copies the contents of {@code dir} into the existing FAT directory {@code target} ("::" or "::/a/b") of
     * {@code image} (an mtools image: a file, or {@code file@@offset}).
     */
    private static void copyDirectory(ProcessRunner runner, String image, Path dir, String target) throws IOException {
        List<Path> files = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.sorted().toList()) {
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(child);
                } else if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(child);
                } else {
                    throw new IllegalArgumentException(child + " cannot be copied to FAT: not a file or directory");
                }
            }
        }
        for (Path file : files) {
            mtools(runner, "mcopy", "-p", "-Q", "-i", image, file.toString(),
                    child(target, file));
        }
        for (Path sub : dirs) {
            String fatDir = child(target, sub);
            mtools(runner, "mmd", "-i", image, fatDir);
            copyDirectory(runner, image, sub, fatDir);
        }
    }

    private static String child(String fatDir, Path entry) {
        return (fatDir.equals("::") ? "::/" : fatDir + "/") + entry.getFileName();
    }

    private static void mtools(ProcessRunner runner, String... args) {
        runner.run(Command.of(args).withEnv(MTOOLS_ENV));
    }
}
