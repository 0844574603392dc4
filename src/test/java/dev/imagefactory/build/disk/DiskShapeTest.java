package dev.imagefactory.build.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.model.Arch;
import dev.imagefactory.model.Platform;
import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.schematic.Bootloader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Image sizes, partitions and the bootloader choice against the figures of talos-imager.md §6.1 and §6.3. */
class DiskShapeTest {

    private static final long MIB = 1024L * 1024;

    /** Expected sizes from Talos' own profile test data (§6.1 examples). */
    @ParameterizedTest
    @CsvSource({
            "metal, amd64, 1.9.0, grub, 1306525696",
            "metal, amd64, 1.11.0, dual-boot, 4453302272",
            "metal, arm64, 1.11.0, sd-boot, 2355101696",
            "gcp, amd64, 1.11.0, dual-boot, 11736711168",
    })
    void sizesAreTheImagersFigures(String platform, String arch, String version, String layout, long bytes) {
        TalosVersion v = TalosVersion.parse(version);
        DiskLayout chosen = DiskLayout.choose(Quirks.of(v), v, Arch.parse(arch), false, Bootloader.NONE);
        assertEquals(layout, chosen.bootloaderName());
        long base = Platform.parse(platform).diskDefaults().orElseThrow().sizeBytes();
        assertEquals(bytes, DiskShape.of(chosen, Quirks.of(v), base, 0).sizeBytes());
    }

    @Test
    void dualBootHasTheFourPartitionsOfTheSpecWithAnEspAsBigAsGrubsEspBiosAndBoot() {
        TalosVersion v = TalosVersion.parse("1.11.0");
        DiskShape shape = DiskShape.of(DiskLayout.DUAL_BOOT, Quirks.of(v), 1246 * MIB, 0);
        assertEquals(List.of("EFI", "BIOS", "BOOT", "META"), labels(shape));
        assertEquals(List.of(2101 * MIB, MIB, 2000 * MIB, MIB), sizes(shape));
        assertEquals(Gpt.BIOS_BOOT, shape.partitions().get(1).type());
        assertEquals(Gpt.LEGACY_BIOS_BOOTABLE, shape.partitions().get(1).attributes());
        assertEquals(Gpt.EFI_SYSTEM, shape.partitions().get(0).type());
        assertEquals(Gpt.LINUX_FILESYSTEM, shape.partitions().get(2).type());
        assertEquals(512, shape.sectorSize());
    }

    @Test
    void beforeOneEightGrubImagesCarryStateAndEphemeralTakingTheRest() {
        TalosVersion v = TalosVersion.parse("1.7.7");
        DiskShape shape = DiskShape.of(DiskLayout.GRUB, Quirks.of(v), 1246 * MIB, 4096);
        assertEquals(List.of("EFI", "BIOS", "BOOT", "META", "STATE", "EPHEMERAL"), labels(shape));
        assertEquals(List.of(100 * MIB, MIB, 1000 * MIB, MIB, 100 * MIB, 0L), sizes(shape));
        assertEquals(1246 * MIB, shape.sizeBytes());
        assertEquals(4096, shape.sectorSize());
        assertEquals(PartitionRole.UNFORMATTED, shape.partitions().get(5).role());
    }

    @Test
    void sdBootHasOnlyTheEspAndMeta() {
        TalosVersion v = TalosVersion.parse("1.12.0");
        DiskShape shape = DiskShape.of(DiskLayout.SD_BOOT, Quirks.of(v), 8192 * MIB, 0);
        assertEquals(List.of("EFI", "META"), labels(shape));
        assertEquals((8192 + 1000) * MIB, shape.sizeBytes());
    }

    @ParameterizedTest
    @CsvSource({
            // version, arch, secureBoot, requested, expected
            "1.7.7, amd64, false, none, grub",
            "1.7.7, arm64, false, none, grub",
            "1.7.7, amd64, false, sd-boot, sd-boot",
            "1.7.7, amd64, true, grub, sd-boot",
            "1.10.0, amd64, false, none, dual-boot",
            "1.10.0, arm64, false, none, sd-boot",
            "1.11.0, amd64, false, grub, grub",
            "1.11.0, arm64, false, grub, grub",
            "1.12.0, amd64, true, dual-boot, sd-boot",
    })
    void theBootloaderFollowsSelectBootloader(String version, String arch, boolean secureBoot, String requested,
            String expected) {
        TalosVersion v = TalosVersion.parse(version);
        assertEquals(expected, DiskLayout.choose(Quirks.of(v), v, Arch.parse(arch), secureBoot,
                Bootloader.parse(requested)).bootloaderName());
    }

    @Test
    void impossibleChoicesAreTheClientsMistake() {
        TalosVersion v11 = TalosVersion.parse("1.11.0");
        InvalidInputException arm = assertThrows(InvalidInputException.class,
                () -> DiskLayout.choose(Quirks.of(v11), v11, Arch.ARM64, false, Bootloader.DUAL_BOOT));
        assertTrue(arm.getMessage().contains("arm64"), arm.getMessage());
        TalosVersion v14 = TalosVersion.parse("1.4.0");
        InvalidInputException old = assertThrows(InvalidInputException.class,
                () -> DiskLayout.choose(Quirks.of(v14), v14, Arch.AMD64, true, Bootloader.NONE));
        assertTrue(old.getMessage().contains("1.4.0"), old.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"0, 512", "512, 512", "4096, 4096"})
    void sectorSizes(long requested, int expected) {
        assertEquals(expected, DiskShape.sectorSize(requested));
    }

    @ParameterizedTest
    @CsvSource({"1024", "2048", "8192", "4097", "-1", "4294967808"})
    void otherSectorSizesAreRefusedWithTheReason(long requested) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> DiskShape.sectorSize(requested));
        assertTrue(e.getMessage().contains("512 or 4096"), e.getMessage());
    }

    private static List<String> labels(DiskShape shape) {
        return shape.partitions().stream().map(DiskShape.Part::label).toList();
    }

    private static List<Long> sizes(DiskShape shape) {
        return shape.partitions().stream().map(DiskShape.Part::sizeBytes).toList();
    }
}
