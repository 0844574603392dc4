package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.build.disk.TalosAdvReader;
import dev.imagefactory.build.uki.PeFile;
import dev.imagefactory.tools.ProcessRunner.Command;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layout of served disk images (talos-imager.md §6.2–6.5), read back by tools that share no code with the
 * writer: {@code sfdisk --json} (or {@code fdisk -b 4096 -l} for 4K sectors) for the GPT, mtools for the ESP,
 * {@code xfs_db}/{@code xfs_repair -n} for BOOT, the test-side ADV reader for META, and raw bytes for the BIOS boot
 * code. Expected GUIDs are the spec's literal values (and the spec's algorithm, computed here independently).
 */
@Tag("slow")
@QuarkusTest
@TestProfile(DiskImageProfile.class)
class DiskImageLayoutTest {

    private static final long MIB = 1024L * 1024;
    static final String DISK_GUID = "D92D45B3-CDE9-8760-BE9F-A2A71FAC8D11";
    static final Map<String, String> PARTITION_GUIDS = Map.of(
            "EFI", "BCA5174B-0118-8A6A-AF0B-2C6E1585ACAE",
            "BIOS", "A2A02FF5-D88D-8E6E-9C95-26B9B6C80BC3",
            "BOOT", "24C73076-4092-85DD-9D98-686A2DBF6D81",
            "META", "CF04F137-101E-8EC6-9627-FA3F51CDABB8");
    static final String EFI_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
    static final String BIOS_TYPE = "21686148-6449-6E6F-744E-656564454649";
    static final String LINUX_TYPE = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";

    static final String SCHEMATIC = """
            customization:
              extraKernelArgs: [layout.test=1]
              meta:
                - key: 10
                  value: '{"externalIPs":["1.2.3.4"]}'
                - key: 12
                  value: second
              systemExtensions:
                officialExtensions: [standin/dummy-module]
            """;

    @TestHTTPResource("/")
    URI base;

    @TempDir
    Path tmp;

    @Test
    void theSpecsGuidsAreGuidsFromTheirLabels() throws Exception {
        assertEquals(DISK_GUID, guidFromLabel("talos-image-disk"));
        PARTITION_GUIDS.forEach((label, guid) -> assertEquals(guid, guidFromLabel(label), label));
    }

    @Test
    void dualBootAmd64() throws Exception {
        String v = StandinRelease.V1_11;
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        Path disk = DiskImages.download(base.resolve("/image/" + id + "/" + v + "/metal-amd64.raw"), tmp.resolve("d.raw"));
        JsonNode table = DiskImages.partitionTable(disk);
        checkTable(table, 512, List.of("EFI", "BIOS", "BOOT", "META"), List.of(2101 * MIB, MIB, 2000 * MIB, MIB));
        checkProtectiveMbrAndBiosBootCode(disk, table.get("partitions").get(1).get("start").asLong(), 512);

        Path esp = DiskImages.extract(disk, table, 0, tmp.resolve("esp.img"));
        String listing = DiskImages.fatListing(esp);
        for (String file : List.of("::/EFI/boot/BOOTX64.efi", "::/EFI/Linux/Talos-" + v + ".efi", "::/loader/loader.conf")) {
            assertTrue(listing.contains(file), file + " on the ESP:\n" + listing);
        }
        assertEquals("# systemd-boot configuration\n\ntimeout 10\n",
                Files.readString(DiskImages.fatFile(esp, "loader/loader.conf", tmp.resolve("loader.conf"))));
        assertArrayEquals(Files.readAllBytes(StandinRelease.version(v).resolve("usr/install/amd64/systemd-boot.efi")),
                Files.readAllBytes(DiskImages.fatFile(esp, "EFI/boot/BOOTX64.efi", tmp.resolve("sd.efi"))));
        Path uki = DiskImages.fatFile(esp, "EFI/Linux/Talos-" + v + ".efi", tmp.resolve("uki.efi"));
        String cmdline = given().get("/image/" + id + "/" + v + "/cmdline-metal-amd64").then().statusCode(200)
                .extract().asString();
        List<String> ukiTexts = ukiCmdlinesAndProfiles(uki);
        String imageCmdline = ukiTexts.get(0);
        assertEquals(cmdline.replaceAll(" talos\\.environment=INSTALLER_META_BASE64=\\S+", ""), imageCmdline,
                "the cmdline asset's, without META: a disk image carries META in its META partition");
        assertTrue(cmdline.contains("talos.environment=INSTALLER_META_BASE64="), cmdline);
        assertEquals(List.of(imageCmdline, "ID=main", "ID=reset-maintenance\nTITLE=Reset to maintenance mode",
                imageCmdline + " talos.experimental.wipe=system:EPHEMERAL,STATE"), ukiTexts);

        Path boot = DiskImages.extract(disk, table, 2, tmp.resolve("boot.img"));
        checkXfs(boot, 512);
        Path meta = DiskImages.extract(disk, table, 3, tmp.resolve("meta.img"));
        Map<Integer, byte[]> values = TalosAdvReader.read(meta, 0);
        assertEquals(List.of(0x0a, 0x0c, 0x11), new ArrayList<>(new java.util.TreeMap<>(values).keySet()));
        assertEquals("{\"externalIPs\":[\"1.2.3.4\"]}", new String(values.get(0x0a), StandardCharsets.UTF_8));
        assertEquals("second", new String(values.get(0x0c), StandardCharsets.UTF_8));
        assertEquals("dual-boot", new String(values.get(0x11), StandardCharsets.UTF_8));
    }

    @Test
    void grubLayoutBeforeOneEightHasStateAndEphemeralAndAMetaWithoutTheDualBootValue() throws Exception {
        String v = StandinRelease.V1_7;
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        Path disk = DiskImages.download(base.resolve("/image/" + id + "/" + v + "/metal-amd64.raw.xz"), tmp.resolve("g.raw.xz"));
        DiskImages.TOOLS.run(Command.of("xz", "-d", disk.toString()));
        disk = tmp.resolve("g.raw");
        assertEquals(1246 * MIB, Files.size(disk));
        JsonNode table = DiskImages.partitionTable(disk);
        checkTable(table, 512, List.of("EFI", "BIOS", "BOOT", "META", "STATE", "EPHEMERAL"),
                List.of(100 * MIB, MIB, 1000 * MIB, MIB, 100 * MIB, -1L));
        assertEquals(guidFromLabel("STATE"), table.get("partitions").get(4).get("uuid").asText());
        assertEquals(guidFromLabel("EPHEMERAL"), table.get("partitions").get(5).get("uuid").asText());
        JsonNode ephemeral = table.get("partitions").get(5);
        long unused = table.get("lastlba").asLong() + 1 - ephemeral.get("start").asLong() - ephemeral.get("size").asLong();
        assertTrue(unused >= 0 && unused < MIB / 512, "EPHEMERAL takes the rest up to the last usable LBA: " + unused);
        checkProtectiveMbrAndBiosBootCode(disk, table.get("partitions").get(1).get("start").asLong(), 512);
        Path esp = DiskImages.extract(disk, table, 0, tmp.resolve("esp.img"));
        assertTrue(DiskImages.fatListing(esp).contains("::/EFI/boot/BOOTX64.efi"), "GRUB's EFI image");
        checkXfs(DiskImages.extract(disk, table, 2, tmp.resolve("boot.img")), 512);
        Map<Integer, byte[]> values = TalosAdvReader.read(DiskImages.extract(disk, table, 3, tmp.resolve("meta.img")), 0);
        assertEquals(List.of(0x0a, 0x0c), new ArrayList<>(new java.util.TreeMap<>(values).keySet()),
                "no automatic 0x11 before 1.10");
    }

    @Test
    void fourKibSectorsDriveTheGptTheEspAndBoot() throws Exception {
        String v = StandinRelease.V1_11;
        String id = BootAssetsTest.createSchematic(SCHEMATIC + "  diskImage:\n    sectorSize: 4096\n");
        Path disk = DiskImages.download(base.resolve("/image/" + id + "/" + v + "/metal-amd64.raw"), tmp.resolve("4k.raw"));
        String fdisk = DiskImages.TOOLS.run(Command.of("fdisk", "-b", "4096", "-l", "-o",
                "Device,Start,Sectors,Type-UUID,UUID,Name,Attrs", disk.toString())).stdout();
        assertTrue(fdisk.contains("Disk identifier: " + DISK_GUID), fdisk);
        List<String[]> rows = new ArrayList<>();
        for (String line : fdisk.lines().toList()) {
            if (line.startsWith(disk.toString())) {
                rows.add(line.trim().split("\\s+"));
            }
        }
        assertEquals(4, rows.size(), fdisk);
        assertEquals(List.of("256", "537856", EFI_TYPE, PARTITION_GUIDS.get("EFI"), "EFI"),
                List.of(rows.get(0)).subList(1, 6), fdisk); // 1 MiB = 256 sectors of 4 KiB
        long espStart = Long.parseLong(rows.get(0)[1]) * 4096;
        long bootStart = Long.parseLong(rows.get(2)[1]) * 4096;
        assertEquals(PARTITION_GUIDS.get("BOOT"), rows.get(2)[4]);
        Path esp = tmp.resolve("esp4k.img");
        DiskImages.TOOLS.run(Command.of("dd", "if=" + disk, "of=" + esp, "bs=1M", "skip=" + espStart,
                "count=" + 2101 * MIB, "iflag=skip_bytes,count_bytes", "conv=sparse", "status=none"));
        String minfo = DiskImages.TOOLS.run(Command.of("minfo", "-i", esp.toString(), "::")).stdout();
        assertTrue(minfo.contains("sector size: 4096 bytes"), minfo);
        Path boot = tmp.resolve("boot4k.img");
        DiskImages.TOOLS.run(Command.of("dd", "if=" + disk, "of=" + boot, "bs=1M", "skip=" + bootStart,
                "count=" + 2000 * MIB, "iflag=skip_bytes,count_bytes", "conv=sparse", "status=none"));
        checkXfs(boot, 4096);
    }

    @Test
    void sdBootArm64() throws Exception {
        String v = StandinRelease.V1_11;
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        Path disk = DiskImages.download(base.resolve("/image/" + id + "/" + v + "/metal-arm64.raw"), tmp.resolve("a.raw"));
        assertEquals(2246 * MIB, Files.size(disk));
        JsonNode table = DiskImages.partitionTable(disk);
        checkTable(table, 512, List.of("EFI", "META"), List.of(2101 * MIB, MIB));
        Path esp = DiskImages.extract(disk, table, 0, tmp.resolve("esp.img"));
        String listing = DiskImages.fatListing(esp);
        assertTrue(listing.contains("::/EFI/boot/BOOTAA64.efi"), listing);
        Map<Integer, byte[]> values = TalosAdvReader.read(DiskImages.extract(disk, table, 1, tmp.resolve("m.img")), 0);
        assertEquals(List.of(0x0a, 0x0c), new ArrayList<>(new java.util.TreeMap<>(values).keySet()),
                "arm64 images are never dual-boot");
    }

    @Test
    void badRequestsAreRefusedWithTheirReason() {
        String v = StandinRelease.V1_11;
        String sector = BootAssetsTest.createSchematic("customization:\n  diskImage:\n    sectorSize: 1024\n");
        given().get("/image/" + sector + "/" + v + "/metal-amd64.raw").then().statusCode(400)
                .body(containsString("512 or 4096"));
        String grub4k = BootAssetsTest.createSchematic("customization:\n  diskImage:\n    sectorSize: 4096\n");
        given().get("/image/" + grub4k + "/" + StandinRelease.V1_7 + "/metal-amd64.raw").then().statusCode(400)
                .body(containsString("cannot be FAT32"));
        String dual = BootAssetsTest.createSchematic("customization:\n  bootloader: dual-boot\n");
        given().get("/image/" + dual + "/" + v + "/metal-arm64.raw").then().statusCode(400)
                .body(containsString("arm64"));
        String plain = BootAssetsTest.createSchematic("customization:\n  extraKernelArgs: [bad.request=1]\n");
        given().get("/image/" + plain + "/" + v + "/nosuch-amd64.raw").then().statusCode(400)
                .body(containsString("nosuch"));
        given().get("/image/" + plain + "/" + v + "/metal-amd64.raw.bz2").then().statusCode(400)
                .body(containsString("invalid profile path"));
        given().get("/image/" + plain + "/" + v + "/metal-amd64.vmdk").then().statusCode(400)
                .body(containsString("invalid profile path"));
        given().get("/image/" + plain + "/" + v + "/metal-riscv64.raw").then().statusCode(400);
    }

    /** Names, types, GUIDs, MiB-aligned starts packed in order, sizes (-1: the rest) and the disk GUID. */
    private static void checkTable(JsonNode table, int sector, List<String> names, List<Long> sizes) {
        assertEquals("gpt", table.get("label").asText());
        assertEquals(DISK_GUID, table.get("id").asText());
        assertEquals(sector, table.get("sectorsize").asInt());
        assertEquals(MIB / sector, table.get("firstlba").asLong(), "first usable LBA rounded up to 1 MiB");
        assertEquals(names, DiskImages.names(table));
        long expectedStart = MIB / sector;
        for (int i = 0; i < names.size(); i++) {
            JsonNode p = table.get("partitions").get(i);
            String name = names.get(i);
            assertEquals(expectedStart, p.get("start").asLong(), name + " start");
            if (sizes.get(i) >= 0) {
                assertEquals(sizes.get(i) / sector, p.get("size").asLong(), name + " size");
            }
            expectedStart += p.get("size").asLong();
            String type = name.equals("EFI") ? EFI_TYPE : name.equals("BIOS") ? BIOS_TYPE : LINUX_TYPE;
            assertEquals(type, p.get("type").asText(), name + " type");
            assertEquals(guidFromLabel(name), p.get("uuid").asText(), name + " GUID");
            assertEquals(name.equals("BIOS") ? "LegacyBIOSBootable" : "", p.path("attrs").asText(), name + " attrs");
        }
    }

    /**
     * Sector 0: GRUB's boot.img code (first 446 bytes, with the BIOS partition's LBA at 0x5C and the two NOPs at
     * 0x66), then the protective MBR entry and 55AA; the BIOS partition starts with core.img, whose blocklist points
     * at the sector after its first.
     */
    private static void checkProtectiveMbrAndBiosBootCode(Path disk, long biosLba, int sector) throws Exception {
        byte[] mbr = new byte[512];
        byte[] core = new byte[512];
        try (RandomAccessFile file = new RandomAccessFile(disk.toFile(), "r")) {
            file.readFully(mbr);
            file.seek(biosLba * sector);
            file.readFully(core);
        }
        assertEquals(biosLba, le64(mbr, 0x5c), "boot.img points at the BIOS partition");
        assertEquals((byte) 0x90, mbr[0x66]);
        assertEquals((byte) 0x90, mbr[0x67]);
        byte[] stock = Files.readAllBytes(Path.of("/usr/lib/grub/i386-pc/boot.img"));
        assertEquals(stock[0], mbr[0], "GRUB's boot code");
        assertEquals((byte) 0xee, mbr[0x1c2], "protective entry type");
        assertArrayEquals(new byte[] {0x00, 0x02, 0x00}, java.util.Arrays.copyOfRange(mbr, 0x1bf, 0x1c2), "start CHS");
        assertEquals(1, le32(mbr, 0x1c6), "starts at LBA 1");
        assertEquals((byte) 0x55, mbr[0x1fe]);
        assertEquals((byte) 0xaa, mbr[0x1ff]);
        assertEquals(biosLba + 1, le64(core, 0x1f4), "core.img's blocklist");
    }

    private static void checkXfs(Path boot, int sector) {
        String sb = DiskImages.TOOLS.run(Command.of("xfs_db", "-r", "-c", "sb 0", "-c", "print uuid fname sectsize",
                boot.toString())).stdout();
        assertTrue(sb.contains("uuid = " + PARTITION_GUIDS.get("BOOT").toLowerCase(Locale.ROOT)), sb);
        assertTrue(sb.contains("fname = \"BOOT\\000"), sb); // the 12-byte label field, NUL-padded
        assertTrue(sb.contains("sectsize = " + sector), sb);
        DiskImages.TOOLS.run(Command.of("xfs_repair", "-n", "-f", boot.toString())); // fails on any inconsistency
        String ls = DiskImages.TOOLS.run(Command.of("xfs_db", "-r", "-c", "ls /A", boot.toString())).stdout();
        assertTrue(ls.contains("vmlinuz") && ls.contains("initramfs.xz"), ls);
    }

    /** The UKI's {@code .cmdline} and {@code .profile} texts in section order. */
    private static List<String> ukiCmdlinesAndProfiles(Path uki) throws Exception {
        PeFile pe = PeFile.read(uki);
        List<String> texts = new ArrayList<>();
        for (PeFile.SectionHeader s : pe.sections()) {
            if (s.name().equals(".cmdline") || s.name().equals(".profile")) {
                texts.add(new String(pe.data(s).readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return texts;
    }

    /** Talos' GUIDFromLabel as the spec states it, written here independently of the factory's code. */
    static String guidFromLabel(String label) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(new byte[16]);
            sha.update(label.getBytes(StandardCharsets.UTF_8));
            byte[] b = java.util.Arrays.copyOf(sha.digest(), 16);
            b[6] = (byte) ((b[6] & 0x0f) | 0x80);
            b[8] = (byte) ((b[8] & 0x3f) | 0x80);
            String hex = HexFormat.of().withUpperCase().formatHex(b);
            return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                    + hex.substring(16, 20) + "-" + hex.substring(20);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long le64(byte[] b, int at) {
        return java.nio.ByteBuffer.wrap(b, at, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static long le32(byte[] b, int at) {
        return Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(b, at, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
    }
}
