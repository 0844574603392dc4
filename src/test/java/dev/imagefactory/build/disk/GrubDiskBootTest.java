package dev.imagefactory.build.disk;

import static dev.imagefactory.build.disk.FsTestTrees.MIB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.bootargs.UnwritableKernelArgException;
import dev.imagefactory.model.Arch;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link GrubDiskBoot}: grub.cfg as Talos' template renders it, the GRUB images, and the blocklist patch bytes. */
class GrubDiskBootTest {

    private static final Path BOOT_IMG = Path.of("/usr/lib/grub/i386-pc/boot.img");

    @TempDir
    Path tmp;

    @Test
    void configIsTalosTemplateForImageModeWithQuotedCmdline() {
        String cmdline = "talos.platform=metal console=ttyS0 a=b{c}&d$e q=\"k l\"";
        String quoted = "talos.platform=metal console=ttyS0 'a=b{c}&d$e' 'q=k l'"; // see bootargs.GrubLinuxArgsTest
        String head = "set default=\"A - Talos v1.9.5\"\n\nset timeout=3\n\ninsmod all_video\n\n"
                + "terminal_input console\nterminal_output console\n\n";
        String entry = "menuentry \"A - Talos v1.9.5\" {\n  set gfxmode=auto\n  set gfxpayload=text\n"
                + "  linux /A/vmlinuz " + quoted + "\n  initrd /A/initramfs.xz\n}\n";
        String reset = "menuentry \"Reset Talos installation and return to maintenance mode\" {\n"
                + "  set gfxmode=auto\n  set gfxpayload=text\n"
                + "  linux /A/vmlinuz " + quoted + " talos.experimental.wipe=system:EPHEMERAL,STATE\n"
                + "  initrd /A/initramfs.xz\n}\n";
        assertEquals(head + entry + reset, GrubDiskBoot.config("v1.9.5", cmdline, true));
        assertEquals(head + entry, GrubDiskBoot.config("v1.9.5", cmdline, false), "Talos < 1.4: no reset entry");
    }

    @Test
    void configRefusesWhatGrubCannotCarry() {
        assertThrows(UnwritableKernelArgException.class, () -> GrubDiskBoot.config("v1.9.5", "a='b'", true));
        assertThrows(IllegalArgumentException.class, () -> GrubDiskBoot.config("v1.9.5\" {", "a=b", true));
    }

    /** grub-mkimage's EFI image: a PE32+ for x86-64 (machine 0x8664) that names BOOT as its prefix, reproducible. */
    @Test
    void efiImageAmd64() throws Exception {
        Path first = tmp.resolve("a.efi");
        Path second = tmp.resolve("b.efi");
        GrubDiskBoot.efiImage(FsTestTrees.TOOLS, Arch.AMD64, first);
        GrubDiskBoot.efiImage(FsTestTrees.TOOLS, Arch.AMD64, second);
        assertEquals(0x8664, peMachine(first));
        byte[] bytes = Files.readAllBytes(first);
        assertTrue(indexOf(bytes, "(hd0,gpt3)/grub".getBytes(StandardCharsets.US_ASCII)) > 0, "prefix in the image");
        assertArrayEquals(bytes, Files.readAllBytes(second));
    }

    /** The PE machine type: at the offset that e_lfanew (0x3C) gives, after "PE\0\0". */
    static int peMachine(Path image) throws Exception {
        ByteBuffer pe = ByteBuffer.wrap(Files.readAllBytes(image)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('M' | 'Z' << 8, pe.getShort(0) & 0xffff);
        int header = pe.getInt(0x3C);
        assertEquals(0x00004550, pe.getInt(header), "PE signature");
        return pe.getShort(header + 4) & 0xffff;
    }

    @Test
    void coreImageFitsTheBiosPartitionAndIsReproducible() throws Exception {
        Path first = tmp.resolve("a.img");
        Path second = tmp.resolve("b.img");
        GrubDiskBoot.coreImage(FsTestTrees.TOOLS, first);
        GrubDiskBoot.coreImage(FsTestTrees.TOOLS, second);
        byte[] core = Files.readAllBytes(first);
        assertTrue(core.length > 512 && core.length < MIB, core.length + " bytes");
        // diskboot.img's blocklist: start sector 2 (LE64 at 0x1F4) until patched, then the sector count (LE16)
        ByteBuffer le = ByteBuffer.wrap(core).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, le.getLong(0x1F4));
        assertEquals((core.length + 511) / 512 - 1, le.getShort(0x1FC));
        assertArrayEquals(core, Files.readAllBytes(second));
    }

    /**
     * A sparse disk with a stand-in protective MBR table: after installBios, bytes 0-445 are boot.img's with the
     * LBA at 0x5C and two NOPs at 0x66, bytes 446-511 are still the table, core.img sits at the BIOS partition's
     * first byte with LBA + 1 at 0x1F4, and no other byte changed.
     */
    @ParameterizedTest(name = "{1}-byte sectors, BIOS partition at LBA {0}")
    @CsvSource({"206848, 512", "2254848, 512", "25856, 4096"})
    void installBiosPatchesExactlyTheBlocklistBytes(long biosLba, int sectorSize) throws Exception {
        Path core = tmp.resolve("core.img");
        GrubDiskBoot.coreImage(FsTestTrees.TOOLS, core);
        byte[] coreBytes = Files.readAllBytes(core);
        long diskSize = biosLba * sectorSize + 2 * MIB;
        Path disk = tmp.resolve("disk.raw");
        byte[] table = new byte[66];
        Arrays.fill(table, (byte) 0xEE);
        table[64] = 0x55;
        table[65] = (byte) 0xAA;
        byte[] sentinel = "before-bios".getBytes(StandardCharsets.US_ASCII);
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(diskSize);
            file.seek(446);
            file.write(table);
            file.seek(biosLba * sectorSize - sentinel.length);
            file.write(sentinel);
        }

        GrubDiskBoot.installBios(disk, core, biosLba, sectorSize);

        assertEquals(diskSize, Files.size(disk));
        byte[] expectedBoot = Files.readAllBytes(BOOT_IMG);
        ByteBuffer.wrap(expectedBoot).order(ByteOrder.LITTLE_ENDIAN).putLong(0x5C, biosLba);
        expectedBoot[0x66] = (byte) 0x90;
        expectedBoot[0x67] = (byte) 0x90;
        System.arraycopy(table, 0, expectedBoot, 446, 66);
        byte[] expectedCore = coreBytes.clone();
        ByteBuffer.wrap(expectedCore).order(ByteOrder.LITTLE_ENDIAN).putLong(0x1F4, biosLba + 1);
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "r")) {
            assertArrayEquals(expectedBoot, read(file, 0, 512), "sector 0");
            assertZeros(file, 512, biosLba * sectorSize - sentinel.length);
            assertArrayEquals(sentinel, read(file, biosLba * sectorSize - sentinel.length, sentinel.length));
            assertArrayEquals(expectedCore, read(file, biosLba * sectorSize, expectedCore.length), "core.img");
            long after = biosLba * sectorSize + expectedCore.length;
            assertZeros(file, after, diskSize);
        }
        // cmp, an independent reader, sees exactly the two 8-byte fields differ from the stock images
        String bootDiff = FsTestTrees.exec(java.util.List.of("cmp", "-l", "-n", "446", BOOT_IMG.toString(),
                disk.toString())).output();
        long changed = bootDiff.lines().filter(l -> !l.isBlank()).count();
        assertTrue(changed <= 10, bootDiff);
        assertTrue(bootDiff.lines().allMatch(l -> {
            long offset = Long.parseLong(l.strip().split("\\s+")[0]) - 1; // cmp counts from 1
            return offset >= 0x5C && offset < 0x64 || offset == 0x66 || offset == 0x67;
        }), bootDiff);
    }

    @Test
    void installBiosRefusesAPartitionOutsideTheDisk() throws Exception {
        Path core = tmp.resolve("core.img");
        GrubDiskBoot.coreImage(FsTestTrees.TOOLS, core);
        Path disk = tmp.resolve("disk.raw");
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "rw")) {
            file.setLength(4 * MIB);
        }
        assertThrows(IllegalArgumentException.class, () -> GrubDiskBoot.installBios(disk, core, 8192, 512));
        assertThrows(IllegalArgumentException.class, () -> GrubDiskBoot.installBios(disk, core, 0, 512));
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "r")) {
            assertZeros(file, 0, 4 * MIB);
        }
    }

    /** Bytes [from, to) are all zero, read in 1 MiB pieces. */
    private static void assertZeros(RandomAccessFile file, long from, long to) throws Exception {
        byte[] zeros = new byte[(int) MIB];
        for (long at = from; at < to; at += MIB) {
            int length = (int) Math.min(MIB, to - at);
            assertArrayEquals(Arrays.copyOf(zeros, length), read(file, at, length), "bytes from " + at);
        }
    }

    private static byte[] read(RandomAccessFile file, long offset, int length) throws Exception {
        byte[] bytes = new byte[length];
        file.seek(offset);
        file.readFully(bytes);
        return bytes;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
