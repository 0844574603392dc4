package dev.imagefactory.build.iso;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ESP image ({@code efiboot.img}) of the UEFI-only and hybrid ISOs (talos-imager.md §5.3): a FAT32 file system
 * made by {@code mkfs.vfat --invariant} and filled by mtools, without mounting anything.
 *
 * <p><b>Size.</b> Upstream: 10 MiB + the sizes of systemd-boot and the UKI, each rounded up to whole MiB. Here
 * additionally at least {@value #MIN_MIB} MiB, the smallest whole-MiB size in which FAT32 with 512-byte clusters
 * reaches the 65525 clusters that make FAT32 FAT32 for readers that go by the cluster count (mtools, the FAT
 * specification): below it, {@code mcopy} fails with "Error reading FAT". Real Talos UKIs (~90 MiB) never get
 * there, so their ESPs are sized exactly as upstream's; only small UKIs (like the Debian stand-in's) are affected.
 */
final class EfiPartition {

    static final long MIB = 1024L * 1024;
    static final long MIN_MIB = 33;
    private static final long SECTOR = 512;
    /** FAT32's minimum cluster count plus 2048 (room for the reserved area and the FATs), as upstream counts. */
    private static final long MIN_CLUSTERS = 65525 + 2048;

    private EfiPartition() {
    }

    /** The image size in bytes for these ESP contents. */
    static long sizeBytes(long systemdBootBytes, long ukiBytes) {
        long mib = 10 + ceilMib(systemdBootBytes) + ceilMib(ukiBytes);
        return Math.max(mib, MIN_MIB) * MIB;
    }

    /**
     * {@code mkfs.vfat -s}: the largest of 8, 4, 2, 1 sectors per cluster that still leaves at least 65525 + 2048
     * clusters' worth of sectors, so FAT32 stays FAT32 with the fewest, largest clusters; 1 when none does (which
     * {@link #sizeBytes}' minimum rules out).
     */
    static int sectorsPerCluster(long sizeBytes) {
        long sectors = sizeBytes / SECTOR;
        for (int spc : new int[] {8, 4, 2, 1}) {
            if (sectors / spc >= MIN_CLUSTERS) {
                return spc;
            }
        }
        return 1;
    }

    /**
     * Creates {@code image} (sparse), formats it and copies {@code EFI/} and {@code loader/} of the scratch tree into
     * it, preserving their pinned mtimes; marks {@code loader/random-seed} read-only (systemd-boot would otherwise try
     * to refresh it on read-only media).
     */
    static void build(IsoTools tools, ScratchTree scratch, Path image, long sizeBytes) throws IOException {
        Files.deleteIfExists(image);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(sizeBytes);
        }
        tools.run(List.of("mkfs.vfat", "-F", "32", "-n", "EFI", "--invariant",
                "-s", Integer.toString(sectorsPerCluster(sizeBytes)), image.toString()));
        List<String> copy = new ArrayList<>(List.of("mcopy", "-s", "-p", "-Q", "-m", "-i", image.toString()));
        copy.add(scratch.resolve("EFI").toString());
        copy.add(scratch.resolve("loader").toString());
        copy.add("::");
        tools.run(copy);
        tools.run(List.of("mattrib", "-i", image.toString(), "+r", "::/loader/random-seed"));
    }

    private static long ceilMib(long bytes) {
        return (bytes + MIB - 1) / MIB;
    }
}
