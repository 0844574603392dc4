package dev.imagefactory.build.initramfs;

import dev.imagefactory.content.Digests;
import dev.imagefactory.content.Reproducible;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The extensions the factory generates itself (talos-imager.md §1.6): {@code schematic}, present in every image,
 * and {@code embedded-config} for Talos >= 1.12. Their trees are written with pinned mtimes and modes so they
 * squash to the same bytes every time.
 */
public final class VirtualExtensions {

    static final String SELINUX_STATE_LABEL = "system_u:object_r:system_state_t:s0";

    /** The SELinux labels of the {@code embedded-config} squashfs (path relative to rootfs, starting with /). */
    public static final Map<String, String> EMBEDDED_CONFIG_LABELS =
            Map.of("/usr/local/etc/talos/config.yaml", SELINUX_STATE_LABEL);

    private VirtualExtensions() {
    }

    /**
     * @param canonicalYaml goes into {@code extraInfo} when {@code withExtraInfo} (Talos >= 1.7), else omitted
     */
    public static ExtensionSource schematic(Path dir, String schematicId, String externalUrl, String canonicalYaml,
            boolean withExtraInfo) throws IOException {
        Path rootfs = dir.resolve("rootfs");
        Path share = Files.createDirectories(rootfs.resolve("usr/local/share/schematic"));
        Files.createFile(share.resolve(schematicId));
        Reproducible.normalize(rootfs);
        ExtensionMetadata metadata = new ExtensionMetadata("schematic", schematicId,
                "Image Factory (" + externalUrl + ")",
                "Virtual extension which specifies the schematic of the image built with schematic.",
                ">= 1.0.0", withExtraInfo ? canonicalYaml : "");
        return new ExtensionSource(metadata, rootfs);
    }

    public static ExtensionSource embeddedConfig(Path dir, byte[] config) throws IOException {
        Path rootfs = dir.resolve("rootfs");
        Path talos = Files.createDirectories(rootfs.resolve("usr/local/etc/talos"));
        Path file = Files.write(talos.resolve("config.yaml"), config);
        Reproducible.normalize(rootfs);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        String digest = Digests.sha256(config).hex();
        ExtensionMetadata metadata = new ExtensionMetadata("embedded-config", digest, "Imager",
                "Virtual extension which embeds the machine configuration.", ">= 1.0.0", "");
        return new ExtensionSource(metadata, rootfs);
    }
}
