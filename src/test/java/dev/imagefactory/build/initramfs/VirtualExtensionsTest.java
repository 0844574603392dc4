package dev.imagefactory.build.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.TalosVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated extensions (talos-imager.md §1.6), the extensions.yaml encoding and compatibility constraints. */
class VirtualExtensionsTest {

    @TempDir
    Path tmp;

    @Test
    void schematicExtensionNamesTheSchematicAndCarriesItsYamlFromTalos17() throws Exception {
        String id = "a".repeat(64);
        ExtensionSource withInfo = VirtualExtensions.schematic(Files.createDirectories(tmp.resolve("a")), id,
                "https://factory.example", "customization: {}\n", true);
        assertTrue(Files.isRegularFile(withInfo.rootfs().resolve("usr/local/share/schematic/" + id)));
        assertEquals(0, Files.size(withInfo.rootfs().resolve("usr/local/share/schematic/" + id)));
        assertEquals("schematic", withInfo.metadata().name());
        assertEquals(id, withInfo.metadata().version());
        assertEquals("Image Factory (https://factory.example)", withInfo.metadata().author());
        assertEquals(">= 1.0.0", withInfo.metadata().talosVersion());
        assertEquals("customization: {}\n", withInfo.metadata().extraInfo());
        ExtensionSource without = VirtualExtensions.schematic(Files.createDirectories(tmp.resolve("b")), id,
                "https://factory.example", "customization: {}\n", false);
        assertEquals("", without.metadata().extraInfo());
    }

    @Test
    void embeddedConfigIsReadOnlyLabelledAndVersionedByItsDigest() throws Exception {
        byte[] config = "version: v1alpha1\nmachine: {}\n".getBytes(StandardCharsets.UTF_8);
        ExtensionSource source = VirtualExtensions.embeddedConfig(Files.createDirectories(tmp.resolve("c")), config);
        Path file = source.rootfs().resolve("usr/local/etc/talos/config.yaml");
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(new String(config, StandardCharsets.UTF_8), Files.readString(file));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(config)),
                source.metadata().version());
        assertEquals("embedded-config", source.metadata().name());
        assertEquals("Imager", source.metadata().author());
        assertEquals(Map.of("/usr/local/etc/talos/config.yaml", "system_u:object_r:system_state_t:s0"),
                VirtualExtensions.EMBEDDED_CONFIG_LABELS);
    }

    @Test
    void extensionsYamlOmitsAnEmptyExtraInfoButKeepsAnEmptyConstraint() {
        String yaml = new String(ExtensionsYaml.encode(List.of(new ExtensionsYaml.Layer("modules.dep.sqsh",
                new ExtensionMetadata("modules.dep", "6.1.0", "Talos Machinery", "Combined modules.dep for all extensions",
                        "", "")))), StandardCharsets.UTF_8);
        assertEquals("""
                layers:
                    - image: modules.dep.sqsh
                      metadata:
                        name: modules.dep
                        version: 6.1.0
                        author: Talos Machinery
                        description: Combined modules.dep for all extensions
                        compatibility:
                            talos:
                                version: ""
                """, yaml);
    }

    @Test
    void constraintsFollowBlangSemverRangesOnTheRelease() {
        TalosVersion v111 = TalosVersion.parse("v1.11.0-debian.1");
        assertTrue(VersionConstraint.parse(">= v1.7.0").orElseThrow().allows(v111));
        assertTrue(VersionConstraint.parse(">=1.11.0 <1.12.0").orElseThrow().allows(v111), "pre-release counts as 1.11.0");
        assertFalse(VersionConstraint.parse(">= v1.12.0").orElseThrow().allows(v111));
        assertTrue(VersionConstraint.parse("<1.8.0 || >=1.11.0").orElseThrow().allows(v111));
        assertFalse(VersionConstraint.parse(">1.11.0").orElseThrow().allows(v111));
        assertTrue(VersionConstraint.parse("").orElseThrow().allows(v111));
        assertTrue(VersionConstraint.parse(">= banana").isEmpty());
    }
}
