package dev.imagefactory.build.disk;

import static dev.imagefactory.build.disk.FsTestTrees.MIB;
import static dev.imagefactory.build.disk.FsTestTrees.bytes;
import static dev.imagefactory.build.disk.FsTestTrees.file;
import static dev.imagefactory.build.disk.FsTestTrees.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.errors.InvalidInputException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link FatImage}, read back by mtools (minfo, mdir, mtype, mcopy), fsck.fat and GRUB's own FAT reader. */
class FatImageTest {

    private static final String LOADER_CONF = "# systemd-boot configuration\n\ntimeout 10\n";
    private static final byte[] SYSTEMD_BOOT = bytes(1, 150_000);
    private static final byte[] UKI = bytes(2, 3_000_000);

    @TempDir
    Path tmp;

    /** An ESP tree as the sd-boot layout has it; {@code reversed} creates the entries in the opposite order. */
    private Path espTree(String name, boolean reversed) throws IOException {
        return espTree(tmp.resolve(name), reversed);
    }

    private static Path espTree(Path root, boolean reversed) throws IOException {
        List<Runnable> steps = new java.util.ArrayList<>(List.of(
                () -> write(root, "EFI/boot/BOOTX64.efi", SYSTEMD_BOOT),
                () -> write(root, "EFI/Linux/Talos-v1.12.0.efi", UKI),
                () -> write(root, "loader/loader.conf", LOADER_CONF.getBytes(StandardCharsets.US_ASCII)),
                () -> write(root, "loader/keys/auto/PK.auth", bytes(3, 2000)),
                () -> write(root, "loader/keys/auto/KEK.auth", bytes(4, 2000)),
                () -> write(root, "loader/keys/auto/db.auth", bytes(5, 2000))));
        if (reversed) {
            java.util.Collections.reverse(steps);
        }
        steps.forEach(Runnable::run);
        return root;
    }

    private static void write(Path root, String relative, byte[] content) {
        try {
            file(root, relative, content, "rw-r--r--");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0} MiB, {1}-byte sectors")
    @CsvSource({"100, 512, 2", "1101, 512, 8", "2101, 512, 8", "1101, 4096, 1", "2101, 4096, 1"})
    void fat32ReadBackByIndependentReaders(long mib, int sectorSize, int sectorsPerCluster) throws Exception {
        Path image = tmp.resolve("EFI.img");
        FatImage.build(FsTestTrees.TOOLS, image, mib * MIB, sectorSize, "EFI", espTree("esp", false));

        FsTestTrees.assertSparse(image, mib * MIB, 8 * MIB);
        String info = run("minfo", "-i", image.toString(), "::");
        assertTrue(info.contains("sector size: " + sectorSize + " bytes"), info);
        assertTrue(info.contains("cluster size: " + sectorsPerCluster + " sectors"), info);
        assertTrue(info.contains("disk type=\"FAT32   \""), info);
        assertTrue(info.contains("disk label=\"EFI        \""), info);
        assertTrue(info.contains("serial number: 1234ABCD"), "--invariant serial: " + info);

        String fsck = run("fsck.fat", "-n", image.toString());
        Matcher clusters = Pattern.compile("(\\d+)/(\\d+) clusters").matcher(fsck);
        assertTrue(clusters.find(), fsck);
        assertTrue(Long.parseLong(clusters.group(2)) >= 65525, "FAT32 needs 65525 clusters: " + fsck);

        String listing = run("mdir", "-/", "-b", "-i", image.toString(), "::/");
        assertEquals(List.of("::/EFI/boot/BOOTX64.efi", "::/EFI/Linux/Talos-v1.12.0.efi", "::/loader/keys/auto/db.auth",
                "::/loader/keys/auto/KEK.auth", "::/loader/keys/auto/PK.auth", "::/loader/loader.conf"),
                listing.lines().filter(l -> !l.endsWith("/")).sorted(String.CASE_INSENSITIVE_ORDER).toList());
        assertEquals(LOADER_CONF, run("mtype", "-i", image.toString(), "::/loader/loader.conf"));
        Path uki = tmp.resolve("uki.out");
        run("mcopy", "-n", "-i", image.toString(), "::/EFI/Linux/Talos-v1.12.0.efi", uki.toString());
        assertArrayEquals(UKI, Files.readAllBytes(uki));
        String dir = run("mdir", "-i", image.toString(), "::/EFI/boot");
        assertTrue(dir.contains("2019-06-01  21:34"), "SOURCE_DATE_EPOCH in UTC: " + dir);

        // GRUB's FAT driver (grub-fstest, Debian 12's GRUB 2.06) reads it too
        assertEquals(LOADER_CONF, run("grub-fstest", image.toString(), "cat", "/loader/loader.conf"));
        Path systemdBoot = file(tmp, "systemd-boot.ref", SYSTEMD_BOOT, "rw-r--r--");
        run("grub-fstest", image.toString(), "cmp", "/EFI/boot/BOOTX64.efi", systemdBoot.toString());
    }

    /**
     * The same tree, once on this file system and once made in the opposite order on tmpfs, which lists a directory
     * newest first (ext4 lists it in hash order): the images are the same bytes, so nothing depends on the host's
     * directory order.
     */
    @Test
    void sameTreeGivesTheSameBytesWhateverTheHostsDirectoryOrder() throws Exception {
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "fat-image-test");
        try {
            Path first = tmp.resolve("a.img");
            Path second = tmp.resolve("b.img");
            FatImage.build(FsTestTrees.TOOLS, first, 100 * MIB, 512, "EFI", espTree("one", false));
            FatImage.build(FsTestTrees.TOOLS, second, 100 * MIB, 512, "EFI", espTree(shm.resolve("two"), true));
            assertEquals(FsTestTrees.sha256(first), FsTestTrees.sha256(second));
        } finally {
            FsTestTrees.deleteTree(shm);
        }
    }

    /**
     * Made in place inside a larger disk file (behind 1 MiB of other content, before a tail), the file system is the
     * same bytes as the image of its own that {@link FatImage#build} makes, and nothing outside its partition is
     * touched: so a disk image does not change by being built one way or the other.
     */
    @ParameterizedTest(name = "{0} MiB, {1}-byte sectors")
    @CsvSource({"100, 512", "300, 4096", "1101, 512"})
    void madeInsideADiskItIsTheSameBytesAsItsOwnImage(long mib, int sectorSize) throws Exception {
        Path own = tmp.resolve("own.img");
        FatImage.build(FsTestTrees.TOOLS, own, mib * MIB, sectorSize, "EFI", espTree("one", false));

        Path disk = tmp.resolve("disk.raw");
        byte[] head = bytes(7, (int) MIB);
        byte[] tail = bytes(8, 4096);
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength((mib + 2) * MIB);
            file.write(head);
            file.seek((mib + 2) * MIB - tail.length);
            file.write(tail);
        }
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        FatImage.buildInto(FsTestTrees.TOOLS, disk, MIB, mib * MIB, sectorSize, "EFI", espTree("two", false), scratch);

        try (FileChannel channel = FileChannel.open(disk)) {
            assertEquals((mib + 2) * MIB, channel.size());
            assertEquals(ByteBuffer.wrap(head), read(channel, 0, head.length));
            assertEquals(ByteBuffer.wrap(tail), read(channel, (mib + 2) * MIB - tail.length, tail.length));
            try (FileChannel alone = FileChannel.open(own)) {
                for (long at = 0; at < mib * MIB; at += MIB) {
                    assertEquals(read(alone, at, (int) MIB), read(channel, MIB + at, (int) MIB), "MiB " + at / MIB);
                }
            }
        }
        try (var left = Files.list(scratch)) {
            assertEquals(0, left.count(), "the scratch image is removed");
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) > 0) {
            // a region inside the file: read to its end
        }
        return buffer.flip();
    }

    @Test
    void sectorsPerClusterKeepsFat32() {
        assertEquals(2, FatImage.sectorsPerCluster(100 * MIB, 512));
        assertEquals(8, FatImage.sectorsPerCluster(1101 * MIB, 512));
        assertEquals(8, FatImage.sectorsPerCluster(2101 * MIB, 512));
        assertEquals(1, FatImage.sectorsPerCluster(1101 * MIB, 4096));
        assertEquals(1, FatImage.sectorsPerCluster(2101 * MIB, 4096));
        assertThrows(IllegalArgumentException.class, () -> FatImage.sectorsPerCluster(1101 * MIB, 1024));
    }

    @Test
    void aGrubEspWith4kSectorsCannotBeFat32AndLeavesNothing() throws Exception {
        Path image = tmp.resolve("EFI.img");
        InvalidInputException refused = assertThrows(InvalidInputException.class,
                () -> FatImage.build(FsTestTrees.TOOLS, image, 100 * MIB, 4096, "EFI", espTree("esp", false)));
        assertTrue(refused.getMessage().contains("100 MiB"), refused.getMessage());
        assertFalse(Files.exists(image));
    }

    @Test
    void aFailedBuildLeavesNoImage() throws Exception {
        Path tree = espTree("esp", false);
        Path image = tmp.resolve("EFI.img");
        // 40 MiB with 512-byte sectors is FAT32, but cannot hold a 50 MB file: mcopy fails
        file(tree, "EFI/Linux/big.efi", bytes(6, 50_000_000), "rw-r--r--");
        assertThrows(RuntimeException.class,
                () -> FatImage.build(FsTestTrees.TOOLS, image, 40 * MIB, 512, "EFI", tree));
        assertFalse(Files.exists(image));
    }
}
