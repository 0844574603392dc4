package dev.imagefactory.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.errors.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformTest {

    private static final Quirks V1_7 = Quirks.of(TalosVersion.of(1, 7, 0));
    private static final Quirks V1_13 = Quirks.of(TalosVersion.of(1, 13, 0));
    private static final Quirks V1_14 = Quirks.of(TalosVersion.of(1, 14, 0));

    @Test
    void parsesEveryTalosPlatformName() {
        List<String> names = List.of("akamai", "alibabacloud", "aws", "azure", "cloudstack", "container",
                "digital-ocean", "equinixMetal", "packet", "exoscale", "gcp", "hcloud", "metal", "nocloud",
                "opennebula", "openstack", "oracle", "scaleway", "upcloud", "vmware", "vultr");
        assertEquals(names.size(), Platform.values().length);
        for (String name : names) {
            assertEquals(name, Platform.parse(name).pathName());
        }
    }

    @Test
    void packetIsAnAliasOfEquinixMetal() {
        assertEquals("equinixMetal", Platform.parse("packet").talosName());
        assertEquals("packet", Platform.parse("packet").pathName());
        assertEquals("equinixMetal", Platform.parse("equinixMetal").talosName());
        assertEquals(Platform.EQUINIX_METAL.kernelArgs(Arch.AMD64, V1_14), Platform.PACKET.kernelArgs(Arch.AMD64, V1_14));
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo", "", "Metal", "equinixmetal", "digital", "digitalocean", "metal ", "iso", "installer"})
    void unknownNamesAreTheClientsMistake(String name) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Platform.parse(name));
        assertEquals("unknown platform \"" + name + "\"", e.getMessage());
    }

    @Test
    void unknownNameIsQuotedSafely() {
        assertEquals("unknown platform \"a?b\"",
                assertThrows(InvalidInputException.class, () -> Platform.parse("a\nb")).getMessage());
        assertEquals("unknown platform (none)",
                assertThrows(InvalidInputException.class, () -> Platform.parse(null)).getMessage());
    }

    /** §3.3, one row per platform and arch (1.13 unless the row is about a version rule). */
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "metal         | amd64 | 1.7  | console=ttyS0 console=tty0",
        "metal         | amd64 | 1.13 | console=tty0",
        "metal         | arm64 | 1.7  | console=ttyAMA0 console=tty0",
        "metal         | arm64 | 1.14 | console=ttyAMA0 console=tty0",
        "aws           | amd64 | 1.13 | console=tty1 console=ttyS0 net.ifnames=0",
        "aws           | arm64 | 1.14 | console=tty1 console=ttyS0 net.ifnames=0 nvme_core.io_timeout=4294967295",
        "azure         | amd64 | 1.13 | console=ttyS0,115200n8 earlyprintk=ttyS0,115200 rootdelay=300 net.ifnames=0 talos.dashboard.disabled=1 sysctl.kernel.kexec_load_disabled=1",
        "azure         | arm64 | 1.13 | console=ttyS0,115200n8 earlyprintk=ttyS0,115200 rootdelay=300 net.ifnames=0 talos.dashboard.disabled=1 sysctl.kernel.kexec_load_disabled=1",
        "gcp           | amd64 | 1.13 | console=ttyS0 net.ifnames=0 talos.dashboard.disabled=1 sysctl.kernel.kexec_load_disabled=1",
        "akamai        | amd64 | 1.13 | console=ttyS0 console=tty0 console=tty1 net.ifnames=0",
        "digital-ocean | arm64 | 1.13 | console=ttyS0 console=tty0 console=tty1 net.ifnames=0",
        "alibabacloud  | amd64 | 1.13 | console=tty1 console=ttyS0 net.ifnames=0",
        "cloudstack    | amd64 | 1.13 | console=tty1 console=ttyS0 net.ifnames=0",
        "exoscale      | amd64 | 1.13 | console=tty1 console=ttyS0 net.ifnames=0",
        "hcloud        | arm64 | 1.13 | console=tty1 console=ttyS0 net.ifnames=0",
        "nocloud       | amd64 | 1.14 | console=tty1 console=ttyS0 net.ifnames=0",
        "opennebula    | amd64 | 1.13 | console=tty1 console=ttyS0 net.ifnames=0",
        "openstack     | amd64 | 1.13 | console=tty1 console=ttyS0 net.ifnames=0",
        "oracle        | amd64 | 1.13 | console=tty1 console=ttyS0 net.ifnames=0 talos.dashboard.disabled=1",
        "scaleway      | arm64 | 1.13 | console=tty1 console=ttyS0 net.ifnames=0 talos.dashboard.disabled=1",
        "upcloud       | amd64 | 1.13 | net.ifnames=0",
        "vultr         | arm64 | 1.13 | net.ifnames=0",
        "vmware        | amd64 | 1.13 | talos.config=guestinfo console=tty0 console=ttyS0 earlyprintk=ttyS0,115200 net.ifnames=0",
        "vmware        | arm64 | 1.13 | talos.config=guestinfo console=tty0 console=ttyAMA0 net.ifnames=0",
        "equinixMetal  | amd64 | 1.13 | console=ttyS1,115200n8",
        "equinixMetal  | arm64 | 1.13 | console=ttyAMA0,115200",
        "packet        | arm64 | 1.13 | console=ttyAMA0,115200",
        "container     | amd64 | 1.13 | ''",
    })
    void kernelArgsTable(String platform, String arch, String version, String expected) {
        Quirks q = switch (version) {
            case "1.7" -> V1_7;
            case "1.13" -> V1_13;
            default -> V1_14;
        };
        List<String> args = Platform.parse(platform).kernelArgs(Arch.parse(arch), q);
        assertEquals(expected.isEmpty() ? List.of() : Arrays.asList(expected.split(" ")), args);
    }

    @Test
    void diskDefaultsFollowTheTalosDefaultProfiles() {
        long mib = 1024L * 1024;
        assertEquals(new Platform.DiskDefaults(1246 * mib, DiskFormat.RAW, ""), Platform.METAL.diskDefaults().orElseThrow());
        assertEquals(new Platform.DiskDefaults(8192 * mib, DiskFormat.VHD, "subformat=fixed,force_size"),
                Platform.AZURE.diskDefaults().orElseThrow());
        assertEquals(new Platform.DiskDefaults(10240 * mib, DiskFormat.QCOW2, "cluster_size=8k"),
                Platform.EXOSCALE.diskDefaults().orElseThrow());
        assertEquals(new Platform.DiskDefaults(8192 * mib, DiskFormat.OVA, ""), Platform.VMWARE.diskDefaults().orElseThrow());
        for (Platform p : List.of(Platform.METAL, Platform.AKAMAI, Platform.ALIBABACLOUD, Platform.HCLOUD,
                Platform.NOCLOUD, Platform.OPENNEBULA, Platform.OPENSTACK, Platform.SCALEWAY)) {
            assertEquals(1246 * mib, p.diskDefaults().orElseThrow().sizeBytes(), p.pathName());
        }
        for (Platform p : List.of(Platform.AWS, Platform.AZURE, Platform.CLOUDSTACK, Platform.DIGITAL_OCEAN,
                Platform.GCP, Platform.ORACLE, Platform.UPCLOUD, Platform.VMWARE, Platform.VULTR)) {
            assertEquals(8192 * mib, p.diskDefaults().orElseThrow().sizeBytes(), p.pathName());
        }
        assertTrue(Platform.CONTAINER.diskDefaults().isEmpty());
        assertTrue(Platform.EQUINIX_METAL.diskDefaults().isEmpty());
        assertTrue(Platform.PACKET.diskDefaults().isEmpty());
    }
}
