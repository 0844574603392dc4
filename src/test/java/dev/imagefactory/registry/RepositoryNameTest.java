package dev.imagefactory.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.build.AssetPath;
import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.Platform;
import dev.imagefactory.model.Arch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RepositoryNameTest {

    private static final String ID = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

    @Test
    void namesMapToTheInstallerAssetOfEachArchitecture() {
        RepositoryName legacy = RepositoryName.parse("installer/" + ID);
        assertEquals(Platform.METAL, legacy.platform());
        assertFalse(legacy.secureBoot());
        assertEquals(AssetPath.parse("installer-arm64.tar"), legacy.assetPath(Arch.ARM64));

        RepositoryName sb = RepositoryName.parse("installer-secureboot/" + ID);
        assertTrue(sb.secureBoot());
        assertEquals(AssetPath.parse("installer-amd64-secureboot.tar"), sb.assetPath(Arch.AMD64));

        RepositoryName aws = RepositoryName.parse("aws-installer/" + ID);
        assertEquals(Platform.parse("aws"), aws.platform());
        assertEquals(AssetPath.parse("aws-installer-amd64.tar"), aws.assetPath(Arch.AMD64));

        RepositoryName metalSb = RepositoryName.parse("metal-installer-secureboot/" + ID);
        assertEquals("metal-installer-secureboot/" + ID, metalSb.repository());
        AssetPath path = metalSb.assetPath(Arch.ARM64);
        assertEquals(OutputKind.INSTALLER, path.kind());
        assertEquals(AssetPath.parse("metal-installer-arm64-secureboot.tar"), path);
        assertEquals("metal-installer-arm64-secureboot.tar", path.filename());

        assertEquals(Platform.parse("digital-ocean"), RepositoryName.parse("digital-ocean-installer/" + ID).platform());
    }

    @ParameterizedTest
    @ValueSource(strings = {"imager/" + ID, "nosuchplatform-installer/" + ID, "-installer/" + ID,
            "installer-secureboot-secureboot/" + ID})
    void otherImagesAreInvalid(String name) {
        RegistryError error = assertThrows(RegistryError.class, () -> RepositoryName.parse(name));
        assertEquals(400, error.status());
        assertEquals("NAME_INVALID", error.code());
        assertTrue(error.getMessage().startsWith("invalid image: "), error.getMessage()); // the reference's text
    }

    /**
     * The reference routes {@code /v2/<repo>/<resource>/<ref>} only when the repository is exactly
     * {@code <image>/<schematic>} (its RouteV2: "unknown registry path", 404), keeps {@code siderolabs/...} for its
     * source-image proxy, and looks a malformed schematic ID up like any other (not found, 404).
     */
    @ParameterizedTest
    @ValueSource(strings = {"foo", "a/b/c", "siderolabs/nonexistent", "metal-installer/" + ID + "/extra",
            "metal-installer/not-an-id", "metal-installer", "/" + ID, "metal-installer/", "siderolabs/installer/" + ID})
    void otherNamesAreUnknown(String name) {
        RegistryError error = assertThrows(RegistryError.class, () -> RepositoryName.parse(name));
        assertEquals(404, error.status());
        assertEquals("NAME_UNKNOWN", error.code());
    }
}
