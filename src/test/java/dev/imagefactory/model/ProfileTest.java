package dev.imagefactory.model;

import dev.imagefactory.build.AssetPath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.Profile.DiskImageOptions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileTest {

    private static final long MIB = 1024L * 1024;
    private static final SchematicId EMPTY =
            SchematicId.parse("376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba");
    private static final SchematicId OTHER =
            SchematicId.parse("0000000000000000000000000000000000000000000000000000000000000001");
    private static final TalosVersion V = TalosVersion.parse("v1.11.2");

    @Test
    void fromAnAssetPath() {
        Profile p = AssetPath.parse("metal-arm64-secureboot.iso").profile(EMPTY, V);
        assertEquals(new Profile(EMPTY, V, OutputKind.ISO, Platform.METAL, Arch.ARM64, true, Optional.empty()), p);
        assertEquals(Quirks.of(V).supportsUki(), p.quirks().supportsUki());
    }

    /** path | size MiB | format options */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "metal-amd64.raw.xz        | 1246  | ''",
        "metal-amd64.qcow2         | 1246  | cluster_size=8k",
        "nocloud-arm64.raw.zst     | 1246  | ''",
        "aws-amd64.raw.xz          | 8192  | ''",
        "gcp-amd64.raw.tar.gz      | 8192  | ''",
        "azure-amd64.vhd.xz        | 8192  | subformat=fixed,force_size",
        "azure-amd64.qcow2         | 8192  | cluster_size=8k",
        "azure-amd64.raw           | 8192  | ''",
        "exoscale-amd64.qcow2      | 10240 | cluster_size=8k",
        "alibabacloud-amd64.qcow2  | 1246  | cluster_size=8k",
        "alibabacloud-amd64.vhd    | 1246  | ''",
        "oracle-arm64.qcow2.xz     | 8192  | cluster_size=8k",
        "vmware-amd64.ova          | 8192  | ''",
        "metal-amd64.vhd           | 1246  | ''",
        "equinixMetal-amd64.raw.xz | 8192  | ''",
        "container-amd64.qcow2     | 8192  | cluster_size=8k",
    })
    void diskOptionsFollowThePlatformDefaults(String path, long sizeMib, String options) {
        AssetPath asset = AssetPath.parse(path);
        DiskImageOptions d = asset.profile(EMPTY, V).disk().orElseThrow();
        assertEquals(asset.disk().orElseThrow().format(), d.format());
        assertEquals(asset.disk().orElseThrow().compression(), d.compression());
        assertEquals(sizeMib * MIB, d.baseSizeBytes());
        assertEquals(options, d.formatOptions());
    }

    @Test
    void profilesSeparateWhatDiffersAndIgnoreAliasesAndSidecars() {
        Profile base = profile(EMPTY, "metal-amd64.iso");
        assertNotEquals(base, profile(OTHER, "metal-amd64.iso"));
        assertNotEquals(base, profile(EMPTY, "metal-amd64-secureboot.iso"));
        assertNotEquals(base, profile(EMPTY, "metal-arm64.iso"));
        assertNotEquals(base, profile(EMPTY, "nocloud-amd64.iso"));
        assertNotEquals(profile(EMPTY, "metal-amd64.raw.xz"), profile(EMPTY, "metal-amd64.raw.zst"));
        assertNotEquals(profile(EMPTY, "packet-amd64.iso"), profile(EMPTY, "equinixMetal-amd64.iso"));
        // iPXE arch aliases name the same build; the sidecar is not part of the build
        assertEquals(base, profile(EMPTY, "metal-x86_64.iso"));
        assertEquals(base, profile(EMPTY, "metal-amd64.iso.sha512"));
    }

    @Test
    void diskGoesWithImagesOnly() {
        assertThrows(IllegalArgumentException.class, () -> new Profile(EMPTY, V, OutputKind.IMAGE, Platform.METAL,
                Arch.AMD64, false, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Profile(EMPTY, V, OutputKind.ISO, Platform.METAL,
                Arch.AMD64, false, Optional.of(DiskImageOptions.forPlatform(Platform.METAL, DiskFormat.RAW,
                        OutputCompression.NONE))));
    }

    private static Profile profile(SchematicId id, String path) {
        return AssetPath.parse(path).profile(id, V);
    }
}
