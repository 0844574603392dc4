package dev.imagefactory.build.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Layouts and GUIDs against talos-imager.md §6.1–6.3, with the expected positions written out in MiB. */
class GptLayoutTest {

    private static final long MIB = 1 << 20;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // the values the spec lists (§6.2), checked independently with Python's hashlib while writing this test
        "talos-image-disk, d92d45b3-cde9-8760-be9f-a2a71fac8d11",
        "EFI,              bca5174b-0118-8a6a-af0b-2c6e1585acae",
        "BIOS,             a2a02ff5-d88d-8e6e-9c95-26b9b6c80bc3",
        "BOOT,             24c73076-4092-85dd-9d98-686a2dbf6d81",
        "META,             cf04f137-101e-8ec6-9627-fa3f51cdabb8",
    })
    void guidFromLabelGivesTheSpecsValues(String label, String expected) {
        UUID guid = Gpt.guidFromLabel(label);
        assertEquals(UUID.fromString(expected), guid);
        assertEquals(8, guid.version());
        assertEquals(2, guid.variant());
    }

    @Test
    void typeGuidsAreTheSpecs() {
        assertEquals(UUID.fromString("C12A7328-F81F-11D2-BA4B-00A0C93EC93B"), Gpt.EFI_SYSTEM);
        assertEquals(UUID.fromString("21686148-6449-6E6F-744E-656564454649"), Gpt.BIOS_BOOT);
        assertEquals(UUID.fromString("0FC63DAF-8483-4772-8E79-3D69D8477DE4"), Gpt.LINUX_FILESYSTEM);
        assertEquals(4L, Gpt.LEGACY_BIOS_BOOTABLE);
    }

    static List<PartitionRequest> grub(long bootMib) {
        return List.of(
                new PartitionRequest("EFI", Gpt.EFI_SYSTEM, 100 * MIB, 0),
                new PartitionRequest("BIOS", Gpt.BIOS_BOOT, MIB, Gpt.LEGACY_BIOS_BOOTABLE),
                new PartitionRequest("BOOT", Gpt.LINUX_FILESYSTEM, bootMib * MIB, 0),
                new PartitionRequest("META", Gpt.LINUX_FILESYSTEM, MIB, 0));
    }

    static List<PartitionRequest> dualBoot(long bootMib) {
        return List.of(
                new PartitionRequest("EFI", Gpt.EFI_SYSTEM, (101 + bootMib) * MIB, 0),
                new PartitionRequest("BIOS", Gpt.BIOS_BOOT, MIB, Gpt.LEGACY_BIOS_BOOTABLE),
                new PartitionRequest("BOOT", Gpt.LINUX_FILESYSTEM, bootMib * MIB, 0),
                new PartitionRequest("META", Gpt.LINUX_FILESYSTEM, MIB, 0));
    }

    /** Asserts one partition's label, type, GUID, start and end, all given in MiB from the start of the disk. */
    private static void assertPartition(GptPartition p, int sector, String label, UUID type, long startMib,
            long sizeMib, long attributes) {
        assertEquals(label, p.label());
        assertEquals(type, p.type());
        assertEquals(Gpt.guidFromLabel(label), p.guid());
        assertEquals(startMib * MIB / sector, p.firstLba(), label + " first LBA");
        assertEquals((startMib + sizeMib) * MIB / sector - 1, p.lastLba(), label + " last LBA");
        assertEquals(startMib * MIB, p.offsetBytes(sector));
        assertEquals(sizeMib * MIB, p.sizeBytes(sector));
        assertEquals(attributes, p.attributes());
    }

    @ParameterizedTest(name = "sector {0}")
    @ValueSource(ints = {512, 4096})
    void grubLayoutOfMetal19(int sector) {
        // metal amd64 1.9: 1306525696 bytes (1246 MiB), grub, BOOT 1000 MiB
        List<GptPartition> parts = Gpt.layout(sector, 1306525696L, 0, grub(1000));
        assertEquals(4, parts.size());
        assertPartition(parts.get(0), sector, "EFI", Gpt.EFI_SYSTEM, 1, 100, 0);
        assertPartition(parts.get(1), sector, "BIOS", Gpt.BIOS_BOOT, 101, 1, 4);
        assertPartition(parts.get(2), sector, "BOOT", Gpt.LINUX_FILESYSTEM, 102, 1000, 0);
        assertPartition(parts.get(3), sector, "META", Gpt.LINUX_FILESYSTEM, 1102, 1, 0);
    }

    @ParameterizedTest(name = "sector {0}")
    @ValueSource(ints = {512, 4096})
    void dualBootLayoutOfMetal111(int sector) {
        // metal amd64 >= 1.11 dual-boot: 4453302272 bytes (4247 MiB), BOOT 2000 MiB, EFI 101 + 2000 MiB
        List<GptPartition> parts = Gpt.layout(sector, 4453302272L, 0, dualBoot(2000));
        assertPartition(parts.get(0), sector, "EFI", Gpt.EFI_SYSTEM, 1, 2101, 0);
        assertPartition(parts.get(1), sector, "BIOS", Gpt.BIOS_BOOT, 2102, 1, 4);
        assertPartition(parts.get(2), sector, "BOOT", Gpt.LINUX_FILESYSTEM, 2103, 2000, 0);
        assertPartition(parts.get(3), sector, "META", Gpt.LINUX_FILESYSTEM, 4103, 1, 0);
        assertEquals(sector == 512 ? 2048 : 256, parts.get(0).firstLba(), "first usable LBA per §6.2");
    }

    @ParameterizedTest(name = "sector {0}")
    @ValueSource(ints = {512, 4096})
    void sdBootLayoutOfArm64111(int sector) {
        // metal arm64 >= 1.11 sd-boot: 2355101696 bytes (2246 MiB)
        List<GptPartition> parts = Gpt.layout(sector, 2355101696L, 0, List.of(
                new PartitionRequest("EFI", Gpt.EFI_SYSTEM, 2101 * MIB, 0),
                new PartitionRequest("META", Gpt.LINUX_FILESYSTEM, MIB, 0)));
        assertPartition(parts.get(0), sector, "EFI", Gpt.EFI_SYSTEM, 1, 2101, 0);
        assertPartition(parts.get(1), sector, "META", Gpt.LINUX_FILESYSTEM, 2102, 1, 0);
    }

    @ParameterizedTest(name = "sector {0}")
    @ValueSource(ints = {512, 4096})
    void beforeTalos18StateAndEphemeralTakeTheRest(int sector) {
        List<PartitionRequest> requests = new java.util.ArrayList<>(grub(1000));
        requests.add(new PartitionRequest("STATE", Gpt.LINUX_FILESYSTEM, 100 * MIB, 0));
        requests.add(new PartitionRequest("EPHEMERAL", Gpt.LINUX_FILESYSTEM, 0, 0));
        List<GptPartition> parts = Gpt.layout(sector, 1246 * MIB, 0, requests);
        assertPartition(parts.get(4), sector, "STATE", Gpt.LINUX_FILESYSTEM, 1103, 100, 0);
        // the rest ends at the last MiB boundary before the backup entries: the last MiB holds them
        assertPartition(parts.get(5), sector, "EPHEMERAL", Gpt.LINUX_FILESYSTEM, 1203, 1246 - 1203 - 1, 0);
    }

    @Test
    void anOffsetEntriesArrayPushesTheFirstPartitionToTheNextMiB() {
        // 64 sectors of offset: entries at LBA 66..97, still below 2048
        assertEquals(2048, Gpt.layout(512, 256 * MIB, 64, grub(10)).get(0).firstLba());
        // 4096 sectors of offset: entries at LBA 4098..4129, so the first partition moves to 3 MiB
        List<GptPartition> moved = Gpt.layout(512, 256 * MIB, 4096, grub(10));
        assertEquals(3 * MIB / 512, moved.get(0).firstLba());
        assertEquals(103 * MIB / 512, moved.get(1).firstLba());
        // 4K: 254 sectors of offset put the entries at 256..259, so the first partition starts at 2 MiB
        assertEquals(2 * MIB / 4096, Gpt.layout(4096, 256 * MIB, 254, grub(10)).get(0).firstLba());
        assertEquals(MIB / 4096, Gpt.layout(4096, 256 * MIB, 250, grub(10)).get(0).firstLba());
    }

    @Test
    void aLayoutThatDoesNotFitIsRefused() {
        // 1102 MiB of partitions + 1 MiB in front + the backup entries need more than 1103 MiB
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gpt.layout(512, 1103 * MIB, 0, grub(1000)));
        assertTrue(e.getMessage().contains("META does not fit"), e.getMessage());
        // one MiB more and it fits
        assertEquals(4, Gpt.layout(512, 1104 * MIB, 0, grub(1000)).size());
        // nothing may follow a rest partition
        assertThrows(IllegalArgumentException.class, () -> Gpt.layout(512, 64 * MIB, 0, List.of(
                new PartitionRequest("EPHEMERAL", Gpt.LINUX_FILESYSTEM, 0, 0),
                new PartitionRequest("META", Gpt.LINUX_FILESYSTEM, MIB, 0))));
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Gpt.layout(1024, 64 * MIB, 0, grub(10)));
        assertThrows(IllegalArgumentException.class, () -> Gpt.layout(4096, 64 * MIB + 512, 0, grub(10)));
        assertThrows(IllegalArgumentException.class, () -> Gpt.layout(4096, 64 * MIB, 0, List.of(
                new PartitionRequest("EFI", Gpt.EFI_SYSTEM, MIB + 512, 0))));
        assertThrows(IllegalArgumentException.class, () -> Gpt.layout(512, 64 * MIB, 0, List.of(
                new PartitionRequest("X".repeat(37), Gpt.EFI_SYSTEM, MIB, 0))));
        assertThrows(IllegalArgumentException.class, () -> Gpt.layout(512, 64 * MIB, 0, List.of(
                new PartitionRequest("META", Gpt.LINUX_FILESYSTEM, MIB, 0),
                new PartitionRequest("META", Gpt.LINUX_FILESYSTEM, MIB, 0))));
        assertThrows(IllegalArgumentException.class, () -> Gpt.layout(512, 64 * MIB, -1, grub(10)));
        // a 36-unit name is the most a GPT entry holds, and fits
        assertEquals(1, Gpt.layout(512, 64 * MIB, 0, List.of(
                new PartitionRequest("X".repeat(36), Gpt.EFI_SYSTEM, MIB, 0))).size());
    }
}
