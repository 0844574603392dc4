package dev.imagefactory.build.disk;

import static dev.imagefactory.build.disk.FsTestTrees.MIB;
import static dev.imagefactory.build.disk.FsTestTrees.bytes;
import static dev.imagefactory.build.disk.FsTestTrees.file;
import static dev.imagefactory.build.disk.FsTestTrees.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link XfsImage}, read back by xfs_repair, xfs_db and GRUB's own XFS reader (grub-fstest, GRUB 2.06). */
class XfsImageTest {

    /** GUIDFromLabel("BOOT"), talos-imager.md §6.2. */
    private static final UUID BOOT_UUID = UUID.fromString("24c73076-4092-85dd-9d98-686a2dbf6d81");
    private static final String GRUB_CFG = "set default=\"A - Talos v1.9.5\"\n";
    private static final byte[] KERNEL = bytes(11, 900_000);
    private static final byte[] INITRAMFS = bytes(12, 2_500_000);

    @TempDir
    Path tmp;

    private Path bootTree(String name) throws IOException {
        Path root = tmp.resolve(name);
        file(root, "A/vmlinuz", KERNEL, "rw-r--r--");
        file(root, "A/initramfs.xz", INITRAMFS, "rw-r--r--");
        file(root, "grub/grub.cfg", GRUB_CFG.getBytes(StandardCharsets.US_ASCII), "rw-------");
        file(root, "grub/tool", bytes(13, 100), "rwxr-x---");
        Files.createSymbolicLink(root.resolve("grub/link"), Path.of("grub.cfg"));
        return root;
    }

    private static Quirks quirks(String version) {
        return Quirks.of(TalosVersion.parse(version));
    }

    @ParameterizedTest(name = "Talos {0}, {1}-byte sectors")
    @CsvSource({
        "v1.7.7,  512,  lts_6.1.conf,  false",
        "v1.9.5,  512,  lts_6.6.conf,  true",
        "v1.11.0, 512,  lts_6.12.conf, true",
        "v1.13.0, 512,  lts_6.18.conf, true",
        "v1.12.0, 4096, lts_6.12.conf, true",
    })
    void xfsReadBackByIndependentReaders(String version, int sectorSize, String config, boolean rmapAndNrext64)
            throws Exception {
        assertEquals(config, XfsImage.configName(quirks(version)));
        long size = quirks(version).bootPartitionSizeBytes();
        Path image = tmp.resolve("BOOT.img");
        XfsImage.build(FsTestTrees.TOOLS, image, size, sectorSize, "BOOT", BOOT_UUID, quirks(version),
                bootTree("boot"));

        FsTestTrees.assertSparse(image, size, 96 * MIB); // the log is ~64 MiB
        run("xfs_repair", "-n", "-f", image.toString()); // exit code 0: no problems found
        String sb = run("xfs_db", "-r", "-c", "sb 0", "-c", "print uuid fname sectsize", image.toString());
        assertTrue(sb.contains("uuid = " + BOOT_UUID), sb);
        assertTrue(sb.contains("fname = \"BOOT\\000"), sb);
        assertTrue(sb.contains("sectsize = " + sectorSize), sb);
        String features = run("xfs_db", "-r", "-c", "version", image.toString());
        for (String feature : List.of("V5", "CRC", "FTYPE", "FINOBT", "SPARSE_INODES", "REFLINK", "INOBTCNT",
                "BIGTIME")) {
            assertTrue(features.contains(feature), feature + " in " + features);
        }
        assertEquals(rmapAndNrext64, features.contains("RMAPBT"), features);
        assertEquals(rmapAndNrext64, features.contains("NREXT64"), features);

        assertInode(image, "/A/vmlinuz", "0100644");
        assertInode(image, "/grub/grub.cfg", "0100600");
        assertInode(image, "/grub/tool", "0100750");
        assertInode(image, "/grub/link", "0120777");
        assertInode(image, "/grub", "040755");

        // Debian 12's GRUB 2.06 (the one disk images carry) reads every feature set
        assertEquals(GRUB_CFG, run("grub-fstest", image.toString(), "cat", "/grub/grub.cfg"));
        run("grub-fstest", image.toString(), "cmp", "/A/initramfs.xz", bootTree("reference")
                .resolve("A/initramfs.xz").toString());
        String listing = run("grub-fstest", image.toString(), "ls", "/A");
        assertEquals(List.of("initramfs.xz", "vmlinuz"), List.of(listing.strip().split(" ")));
    }

    /** Owner 0:0, the mode kept, every timestamp SOURCE_DATE_EPOCH (2019-06-01T21:34:52Z). */
    private static void assertInode(Path image, String path, String mode) {
        String inode = run("xfs_db", "-r", "-c", "path " + path, "-c",
                "print core.mode core.uid core.gid core.atime.sec core.mtime.sec core.ctime.sec v3.crtime.sec",
                image.toString());
        assertTrue(inode.contains("core.mode = " + mode + "\n"), path + ": " + inode);
        assertTrue(inode.contains("core.uid = 0\n") && inode.contains("core.gid = 0\n"), path + ": " + inode);
        for (String time : List.of("core.atime.sec", "core.mtime.sec", "core.ctime.sec", "v3.crtime.sec")) {
            assertTrue(inode.contains(time + " = Sat Jun  1 21:34:52 2019"), path + ": " + inode);
        }
    }

    /** mkfs.xfs stamps inodes with the wall clock; two builds (seconds apart) must still be the same bytes. */
    @ParameterizedTest(name = "{0}-byte sectors")
    @CsvSource({"512", "4096"})
    void twoBuildsAreTheSameBytes(int sectorSize) throws Exception {
        Path first = tmp.resolve("one.img");
        Path second = tmp.resolve("two.img");
        XfsImage.build(FsTestTrees.TOOLS, first, 1000 * MIB, sectorSize, "BOOT", BOOT_UUID, quirks("v1.9.5"),
                bootTree("one"));
        XfsImage.build(FsTestTrees.TOOLS, second, 1000 * MIB, sectorSize, "BOOT", BOOT_UUID, quirks("v1.9.5"),
                bootTree("two"));
        assertEquals(FsTestTrees.sha256(first), FsTestTrees.sha256(second));
    }

    @Test
    void protofileListsFilesThenDirectoriesByNameWithModesAndOwnerRoot() throws Exception {
        Path tree = bootTree("boot");
        Files.createDirectories(tree.resolve("A/empty"));
        Path proto = tmp.resolve("proto");
        XfsProtofile.write(tree, proto);
        assertEquals("""
                /
                0 0
                d--755 0 0
                 A d--755 0 0
                  initramfs.xz ---644 0 0 A/initramfs.xz
                  vmlinuz ---644 0 0 A/vmlinuz
                  empty d--755 0 0
                  $
                 $
                 grub d--755 0 0
                  grub.cfg ---600 0 0 grub/grub.cfg
                  link l--777 0 0 grub.cfg
                  tool ---750 0 0 grub/tool
                 $
                $
                """, Files.readString(proto));
    }

    @Test
    void aNameTheProtofileCannotCarryIsRefusedAndLeavesNothing() throws Exception {
        Path tree = bootTree("boot");
        file(tree, "A/with space", bytes(14, 10), "rw-r--r--");
        Path image = tmp.resolve("BOOT.img");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> XfsImage.build(
                FsTestTrees.TOOLS, image, 1000 * MIB, 512, "BOOT", BOOT_UUID, quirks("v1.9.5"), tree));
        assertTrue(refused.getMessage().contains("with space"), refused.getMessage());
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(tree), left.toList(), "no image, protofile or config left behind");
        }
    }

    @Test
    void aFailedMkfsLeavesNothing() throws Exception {
        Path image = tmp.resolve("BOOT.img");
        Path tree = bootTree("boot");
        // 100 MiB is below mkfs.xfs 6.1's 300 MB minimum
        assertThrows(RuntimeException.class, () -> XfsImage.build(FsTestTrees.TOOLS, image, 100 * MIB, 512, "BOOT",
                BOOT_UUID, quirks("v1.9.5"), tree));
        assertFalse(Files.exists(image));
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(tree), left.toList());
        }
    }
}
