package dev.imagefactory.build.iso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.Arch;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.schematic.Bootloader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ISO's text files, names and sizes, written out by hand from talos-imager.md §5. */
class IsoPiecesTest {

    private static Quirks quirks(String version) {
        return Quirks.of(TalosVersion.parse(version));
    }

    @ParameterizedTest(name = "{0} {1} secureboot={2} bootloader={3} -> {4}")
    @CsvSource(nullValues = "-", value = {
        // SecureBoot: UEFI-only whatever else
        "v1.5.0,  amd64, true,  -,         UEFI",
        "v1.12.0, amd64, true,  grub,      UEFI",
        "v1.12.0, arm64, true,  dual-boot, UEFI",
        // before 1.10: GRUB; the schematic's choice is ignored before 1.12
        "v1.7.7,  amd64, false, -,         GRUB",
        "v1.9.5,  arm64, false, sd-boot,   GRUB",
        "v1.7.7,  amd64, false, none,      GRUB",
        // 1.10 and 1.11: hybrid, arm64 too
        "v1.10.0, amd64, false, -,         HYBRID",
        "v1.11.3, arm64, false, -,         HYBRID",
        "v1.11.0, amd64, false, grub,      HYBRID",
        "v1.11.0, amd64, false, none,      HYBRID",
        // 1.12: as asked; default dual-boot, sd-boot on arm64
        "v1.12.0, amd64, false, -,         HYBRID",
        "v1.12.0, arm64, false, -,         UEFI",
        "v1.12.0, amd64, false, dual-boot, HYBRID",
        "v1.12.0, arm64, false, dual-boot, HYBRID",
        "v1.12.0, amd64, false, sd-boot,   UEFI",
        // none is the schematic's zero value, the same as unset: automatic
        "v1.12.0, amd64, false, none,      HYBRID",
        "v1.12.0, arm64, false, none,      UEFI",
        "v1.13.0, amd64, false, grub,      GRUB",
        "v1.12.0-debian.1, amd64, false, grub, GRUB",
    })
    void layoutFollowsVersionSecureBootAndSchematic(String version, String arch, boolean secureBoot, String bootloader,
            IsoLayout expected) {
        assertEquals(expected, IsoLayout.choose(quirks(version), Arch.parse(arch), secureBoot,
                bootloader == null ? null : Bootloader.parse(bootloader)));
    }

    @Test
    void grubConfigIsTheImagersTemplateWithQuotedCmdline() {
        String cmdline = "talos.platform=metal a=b{c}&d$e|f;g<h>i#j q=\"k l\"";
        String quoted = "talos.platform=metal 'a=b{c}&d$e|f;g<h>i#j' 'q=k l'"; // see bootargs.GrubLinuxArgsTest
        String head = "set default=0\nset timeout=3\n\ninsmod all_video\n\nterminal_input console\n"
                + "terminal_output console\n\n";
        String talos = "menuentry \"Talos ISO\" {\n\tset gfxmode=auto\n\tset gfxpayload=text\n"
                + "\tlinux /boot/vmlinuz " + quoted + "\n\tinitrd /boot/initramfs.xz\n}\n\n";
        String reset = "menuentry \"Reset Talos installation\" {\n\tset gfxmode=auto\n\tset gfxpayload=text\n"
                + "\tlinux /boot/vmlinuz " + quoted + " talos.experimental.wipe=system\n\tinitrd /boot/initramfs.xz\n}\n";
        assertEquals(head + talos + reset, GrubConfig.render(cmdline, true));
        assertEquals(head + talos, GrubConfig.render(cmdline, false), "Talos < 1.4 has no reset entry");
    }

    @Test
    void loaderConf() {
        assertEquals("# systemd-boot configuration\n\ntimeout 10\n\nsecure-boot-enroll off\n", LoaderConf.render("off"));
        assertEquals("# systemd-boot configuration\n\ntimeout 10\n\nsecure-boot-enroll if-safe\n",
                LoaderConf.render("if-safe"));
        assertThrows(IllegalArgumentException.class, () -> LoaderConf.render("always"));
    }

    @ParameterizedTest
    @CsvSource({
        "Talos-v1.10.0, TALOS_V1_10_0",
        "Talos-v1.12.0-debian.1, TALOS_V1_12_0_DEBIAN_1",
        "Talos-v1.12.0-alpha.1+build_7, TALOS_V1_12_0_ALPHA_1BUILD_7",
        "Talos-v1.12.0-averyveryverylongprerelease.1, TALOS_V1_12_0_AVERYVERYVERYLONGP",
    })
    void volumeIds(String label, String id) {
        assertEquals(id, VolumeId.of(label));
    }

    @Test
    void trailerPinsDatesAndLabelsFrom18() {
        assertEquals(List.of("-volume_date", "all_file_dates", "=1559424892", "-volume_date", "uuid", "2019060121345200"),
                IsoTrailer.args(quirks("v1.7.7"), "v1.7.7"));
        assertEquals(List.of("-volume_date", "all_file_dates", "=1559424892", "-volume_date", "uuid", "2019060121345200",
                "-volid", "TALOS_V1_8_0", "-volset-id", "Talos-v1.8.0"), IsoTrailer.args(quirks("v1.8.0"), "v1.8.0"));
        assertEquals(Map.of("GRUB_FAT_SERIAL_NUMBER", "5cf2ef7c"), IsoTrailer.environment());
    }

    @Test
    void espSizeAndClusters() {
        long mib = EfiPartition.MIB;
        // a real Talos UKI: 10 + 1 + 90 MiB, 206848 sectors: 2 sectors per cluster keeps >= 67573 clusters
        assertEquals(101 * mib, EfiPartition.sizeBytes(140_891, 89 * mib + 1));
        assertEquals(2, EfiPartition.sectorsPerCluster(101 * mib));
        assertEquals(8, EfiPartition.sectorsPerCluster(300 * mib));
        assertEquals(4, EfiPartition.sectorsPerCluster(140 * mib));
        assertEquals(1, EfiPartition.sectorsPerCluster(60 * mib));
        // small UKIs: at least 33 MiB, so FAT32 keeps 65525 clusters
        assertEquals(33 * mib, EfiPartition.sizeBytes(140_891, 12 * mib));
        assertEquals(1, EfiPartition.sectorsPerCluster(33 * mib));
    }

    @Test
    void extraEspFilesStayBelowEfiAndLoader() {
        IsoInputs base = IsoInputs.grub("v1.12.0", quirks("v1.12.0"), Arch.AMD64, Path.of("k"), Path.of("i"), "c")
                .withUefi(Path.of("b"), Path.of("u"));
        assertEquals(List.of("EFI/keys/uki-signing-cert.der", "loader/keys/auto/PK.auth"), List.copyOf(
                base.withSecureBootEnrollment("if-safe", Map.of("loader/keys/auto/PK.auth", Path.of("pk"),
                        "EFI/keys/uki-signing-cert.der", Path.of("der"))).extraEspFiles().keySet()));
        for (String bad : List.of("/EFI/x", "boot/x", "EFI/../x", "EFI//x", "loader/loader.conf", "EFI/BOOT/BOOTX64.EFI")) {
            assertThrows(IllegalArgumentException.class,
                    () -> base.withSecureBootEnrollment("force", Map.of(bad, Path.of("x"))), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> base.withSecureBootEnrollment("sometimes", Map.of()));
        assertEquals("EFI/BOOT/BOOTAA64.EFI", IsoInputs.grub("v1.12.0", quirks("v1.12.0"), Arch.ARM64, Path.of("k"),
                Path.of("i"), "c").removableLoaderPath());
        assertEquals("EFI/Linux/Talos-v1.12.0.efi", base.ukiPath());
    }
}
