package dev.imagefactory.build.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes real sparse images and reads them back through independent readers: sfdisk --json and sgdisk -v/-p/-i for
 * 512-byte sectors, fdisk -b 4096 -l for 4 KiB sectors (sgdisk and sfdisk take 512 for image files).
 */
class GptWriteTest {

    private static final long MIB = 1 << 20;
    /** metal amd64 >= 1.11 dual-boot (talos-imager.md §6.1). */
    private static final long DUAL_BOOT_SIZE = 4453302272L;

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(1));

    @TempDir
    Path dir;

    private static Path sparse(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        return file;
    }

    private Path dualBootImage(int sector, String name) throws IOException {
        Path disk = sparse(dir.resolve(name), DUAL_BOOT_SIZE);
        Gpt.write(disk, sector, DUAL_BOOT_SIZE, 0, Gpt.layout(sector, DUAL_BOOT_SIZE, 0, GptLayoutTest.dualBoot(2000)));
        return disk;
    }

    @Test
    void sfdiskReadsBackTheDualBootLayout() throws IOException {
        Path disk = dualBootImage(512, "disk.raw");
        JsonNode table = new ObjectMapper().readTree(tools.run(Command.of("sfdisk", "--json", disk.toString()))
                .stdout()).get("partitiontable");
        assertEquals("gpt", table.get("label").asText());
        assertEquals("D92D45B3-CDE9-8760-BE9F-A2A71FAC8D11", table.get("id").asText());
        assertEquals(512, table.get("sectorsize").asInt());
        assertEquals(2048, table.get("firstlba").asLong());
        assertEquals(DUAL_BOOT_SIZE / 512 - 34, table.get("lastlba").asLong(), "last usable = last LBA - 33");
        JsonNode parts = table.get("partitions");
        assertEquals(4, parts.size());
        String[][] expected = {
            // name, type, unique GUID, start MiB, size MiB, attrs
            {"EFI", "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "BCA5174B-0118-8A6A-AF0B-2C6E1585ACAE", "1", "2101", null},
            {"BIOS", "21686148-6449-6E6F-744E-656564454649", "A2A02FF5-D88D-8E6E-9C95-26B9B6C80BC3", "2102", "1",
                "LegacyBIOSBootable"},
            {"BOOT", "0FC63DAF-8483-4772-8E79-3D69D8477DE4", "24C73076-4092-85DD-9D98-686A2DBF6D81", "2103", "2000",
                null},
            {"META", "0FC63DAF-8483-4772-8E79-3D69D8477DE4", "CF04F137-101E-8EC6-9627-FA3F51CDABB8", "4103", "1", null},
        };
        for (int i = 0; i < expected.length; i++) {
            JsonNode p = parts.get(i);
            String[] e = expected[i];
            assertEquals(e[0], p.get("name").asText());
            assertEquals(e[1], p.get("type").asText(), e[0]);
            assertEquals(e[2], p.get("uuid").asText(), e[0]);
            assertEquals(Long.parseLong(e[3]) * MIB / 512, p.get("start").asLong(), e[0]);
            assertEquals(Long.parseLong(e[4]) * MIB / 512, p.get("size").asLong(), e[0]);
            assertEquals(e[5], p.has("attrs") ? p.get("attrs").asText() : null, e[0]);
        }
    }

    @Test
    void sgdiskFindsNoProblemsAndTheSameTable() throws IOException {
        Path disk = dualBootImage(512, "disk.raw");
        String verify = tools.run(Command.of("sgdisk", "-v", disk.toString())).stdout();
        assertTrue(verify.contains("No problems found."), verify);
        String print = tools.run(Command.of("sgdisk", "-p", disk.toString())).stdout();
        assertTrue(print.contains("Disk identifier (GUID): D92D45B3-CDE9-8760-BE9F-A2A71FAC8D11"), print);
        assertTrue(print.contains("Partition table holds up to 128 entries"), print);
        assertTrue(print.contains("Main partition table begins at sector 2 and ends at sector 33"), print);
        assertTrue(print.contains("First usable sector is 2048, last usable sector is " + (DUAL_BOOT_SIZE / 512 - 34)),
                print);
        assertTrue(Pattern.compile("(?m)^\\s+2\\s+4304896\\s+4306943\\s.*EF02\\s+BIOS$").matcher(print).find(), print);
        String bios = tools.run(Command.of("sgdisk", "-i", "2", disk.toString())).stdout();
        assertTrue(bios.contains("Attribute flags: 0000000000000004"), bios);
        assertTrue(bios.contains("Partition unique GUID: A2A02FF5-D88D-8E6E-9C95-26B9B6C80BC3"), bios);
        String efi = tools.run(Command.of("sgdisk", "-i", "1", disk.toString())).stdout();
        assertTrue(efi.contains("Attribute flags: 0000000000000000"), efi);
        assertTrue(efi.contains("Partition name: 'EFI'"), efi);
    }

    @Test
    void fdiskReadsBackThe4kLayout() throws IOException {
        Path disk = dualBootImage(4096, "disk-4k.raw");
        ProcessRunner.Result r = tools.run(Command.of("fdisk", "-b", "4096", "-l", "-o",
                "Device,Start,End,Type-UUID,UUID,Name,Attrs", disk.toString()));
        String out = r.stdout();
        assertEquals("", r.stderr().strip(), "fdisk complains: " + r.stderr());
        assertTrue(out.contains("Sector size (logical/physical): 4096 bytes / 4096 bytes"), out);
        assertTrue(out.contains("Disklabel type: gpt"), out);
        assertTrue(out.contains("Disk identifier: D92D45B3-CDE9-8760-BE9F-A2A71FAC8D11"), out);
        String[][] expected = {
            {"1", "1", "2101", "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "BCA5174B-0118-8A6A-AF0B-2C6E1585ACAE", "EFI", ""},
            {"2", "2102", "1", "21686148-6449-6E6F-744E-656564454649", "A2A02FF5-D88D-8E6E-9C95-26B9B6C80BC3", "BIOS",
                "LegacyBIOSBootable"},
            {"3", "2103", "2000", "0FC63DAF-8483-4772-8E79-3D69D8477DE4", "24C73076-4092-85DD-9D98-686A2DBF6D81",
                "BOOT", ""},
            {"4", "4103", "1", "0FC63DAF-8483-4772-8E79-3D69D8477DE4", "CF04F137-101E-8EC6-9627-FA3F51CDABB8", "META",
                ""},
        };
        for (String[] e : expected) {
            long start = Long.parseLong(e[1]) * MIB / 4096;
            long end = (Long.parseLong(e[1]) + Long.parseLong(e[2])) * MIB / 4096 - 1;
            String line = String.join(" ", disk + e[0], Long.toString(start), Long.toString(end), e[3], e[4], e[5],
                    e[6]).strip();
            assertTrue(squeezed(out).contains(line + "\n"), "no line '" + line + "' in\n" + out);
        }
    }

    private static String squeezed(String text) {
        return text.lines().map(l -> l.strip().replaceAll("\\s+", " ")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void protectiveMbrIsTheSpecsBytesAndTheBootCodeIsLeftAlone() throws IOException {
        for (int sector : new int[] {512, 4096}) {
            Path disk = sparse(dir.resolve("pmbr-" + sector + ".raw"), 64 * MIB);
            byte[] bootCode = new byte[446];
            Arrays.fill(bootCode, (byte) 0x5A);
            byte[] afterMbr = new byte[sector - 512];
            Arrays.fill(afterMbr, (byte) 0x77);
            byte[] inPartition = "partition data".getBytes();
            try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
                f.write(bootCode);
                f.seek(512);
                f.write(afterMbr);
                f.seek(MIB);
                f.write(inPartition);
            }
            Gpt.write(disk, sector, 64 * MIB, 0, Gpt.layout(sector, 64 * MIB, 0, small()));

            byte[] sector0 = read(disk, 0, sector);
            assertArrayEquals(bootCode, Arrays.copyOfRange(sector0, 0, 446), "boot code untouched");
            assertArrayEquals(afterMbr, Arrays.copyOfRange(sector0, 512, sector), "rest of a 4K sector 0 untouched");
            assertArrayEquals(inPartition, read(disk, MIB, inPartition.length), "partition data untouched");
            long lastLba = 64 * MIB / sector - 1;
            ByteBuffer entry = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                    .put(new byte[] {0x00, 0x00, 0x02, 0x00, (byte) 0xEE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF})
                    .putInt(1).putInt((int) lastLba);
            assertArrayEquals(entry.array(), Arrays.copyOfRange(sector0, 446, 462), "sector " + sector);
            assertArrayEquals(new byte[48], Arrays.copyOfRange(sector0, 462, 510), "entries 2..4 empty");
            assertArrayEquals(new byte[] {0x55, (byte) 0xAA}, Arrays.copyOfRange(sector0, 510, 512));
        }
    }

    @Test
    void protectiveMbrSizeStopsAt32Bits() throws IOException {
        long size = 3L << 40; // 3 TiB of 512-byte sectors: more than 0xFFFFFFFF sectors
        Path disk = sparse(dir.resolve("big.raw"), size);
        Gpt.write(disk, 512, size, 0, Gpt.layout(512, size, 0, small()));
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, read(disk, 458, 4));
        String verify = tools.run(Command.of("sgdisk", "-v", disk.toString())).stdout();
        assertTrue(verify.contains("No problems found."), verify);
    }

    @Test
    void aFreshSparseFileStaysSparse() throws IOException {
        Path disk = dualBootImage(512, "disk.raw");
        String[] stat = tools.run(Command.of("stat", "-c", "%b %B", disk.toString())).stdout().strip().split(" ");
        long allocated = Long.parseLong(stat[0]) * Long.parseLong(stat[1]);
        // MBR + header + a few entries at the start, entries + header at the end: a handful of blocks
        assertTrue(allocated <= 64 * 1024, "allocated " + allocated + " bytes");
    }

    @Test
    void sameInputsGiveIdenticalBytes() throws IOException {
        Path a = sparse(dir.resolve("a.raw"), 64 * MIB);
        Path b = sparse(dir.resolve("b.raw"), 64 * MIB);
        Gpt.write(a, 512, 64 * MIB, 0, Gpt.layout(512, 64 * MIB, 0, small()));
        Gpt.write(b, 512, 64 * MIB, 0, Gpt.layout(512, 64 * MIB, 0, small()));
        assertEquals(-1, Files.mismatch(a, b));
    }

    @Test
    void staleBytesInsideTheTableAreCleared() throws IOException {
        Path fresh = sparse(dir.resolve("fresh.raw"), 64 * MIB);
        Path dirty = sparse(dir.resolve("dirty.raw"), 64 * MIB);
        byte[] junk = new byte[64];
        Arrays.fill(junk, (byte) 0xC3);
        try (RandomAccessFile f = new RandomAccessFile(dirty.toFile(), "rw")) {
            f.seek(512 + 200); // inside the primary header sector, after the 92-byte header
            f.write(junk);
            f.seek(2 * 512 + 100 * 128); // entry 101 of the primary array
            f.write(junk);
            f.seek(64 * MIB - 512 - 32 * 512 + 5 * 128); // entry 6 of the backup array
            f.write(junk);
        }
        List<GptPartition> parts = Gpt.layout(512, 64 * MIB, 0, small());
        Gpt.write(fresh, 512, 64 * MIB, 0, parts);
        Gpt.write(dirty, 512, 64 * MIB, 0, parts);
        assertEquals(-1, Files.mismatch(fresh, dirty));
        String verify = tools.run(Command.of("sgdisk", "-v", dirty.toString())).stdout();
        assertTrue(verify.contains("No problems found."), verify);
    }

    @Test
    void anOffsetMovesOnlyThePrimaryEntries() throws IOException {
        Path disk = sparse(dir.resolve("offset.raw"), 256 * MIB);
        List<GptPartition> parts = Gpt.layout(512, 256 * MIB, 4096, small());
        Gpt.write(disk, 512, 256 * MIB, 4096, parts);
        String print = tools.run(Command.of("sgdisk", "-p", disk.toString())).stdout();
        assertTrue(print.contains("Main partition table begins at sector 4098 and ends at sector 4129"), print);
        assertTrue(print.contains("First usable sector is 6144,"), print);
        String verify = tools.run(Command.of("sgdisk", "-v", disk.toString())).stdout();
        assertTrue(verify.contains("No problems found."), verify);
        JsonNode table = new ObjectMapper().readTree(tools.run(Command.of("sfdisk", "--json", disk.toString()))
                .stdout()).get("partitiontable");
        assertEquals(6144, table.get("partitions").get(0).get("start").asLong());
        // the backup array stays right before the backup header
        Matcher m = Pattern.compile("(?m)^Disk .*: (\\d+) sectors").matcher(print);
        assertTrue(m.find(), print);
        assertEquals(256 * MIB / 512, Long.parseLong(m.group(1)));
        byte[] backupHeader = read(disk, 256 * MIB - 512, 92);
        assertEquals(256 * MIB / 512 - 33, ByteBuffer.wrap(backupHeader).order(ByteOrder.LITTLE_ENDIAN).getLong(72));
    }

    @Test
    void aFileOfTheWrongSizeOrAnOverlappingTableIsRefused() throws IOException {
        Path disk = sparse(dir.resolve("short.raw"), 32 * MIB);
        List<GptPartition> parts = Gpt.layout(512, 64 * MIB, 0, small());
        assertThrows(IllegalArgumentException.class, () -> Gpt.write(disk, 512, 64 * MIB, 0, parts));
        Path right = sparse(dir.resolve("right.raw"), 64 * MIB);
        GptPartition first = parts.get(0);
        List<GptPartition> overlapping = List.of(first, new GptPartition("X", Gpt.LINUX_FILESYSTEM,
                Gpt.guidFromLabel("X"), first.lastLba(), first.lastLba() + 10, 0));
        assertThrows(IllegalArgumentException.class, () -> Gpt.write(right, 512, 64 * MIB, 0, overlapping));
        assertFalse(Arrays.equals(new byte[] {0x55, (byte) 0xAA}, read(right, 510, 2)), "nothing written");
    }

    /** A grub-like layout that fits 64 MiB. */
    private static List<PartitionRequest> small() {
        return List.of(
                new PartitionRequest("EFI", Gpt.EFI_SYSTEM, 10 * MIB, 0),
                new PartitionRequest("BIOS", Gpt.BIOS_BOOT, MIB, Gpt.LEGACY_BIOS_BOOTABLE),
                new PartitionRequest("BOOT", Gpt.LINUX_FILESYSTEM, 20 * MIB, 0),
                new PartitionRequest("META", Gpt.LINUX_FILESYSTEM, MIB, 0));
    }

    private static byte[] read(Path file, long offset, int length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[length];
            f.seek(offset);
            f.readFully(b);
            return b;
        }
    }
}
