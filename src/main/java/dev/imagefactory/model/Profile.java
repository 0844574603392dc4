package dev.imagefactory.model;


import java.util.Objects;
import java.util.Optional;

/**
 * What determines one build (Talos' imager Profile, reduced to what a URL chooses): the schematic, the Talos version,
 * the output kind, platform, architecture, SecureBoot, and for disk images how the image is sized and packaged.
 * Everything else a build uses comes from the schematic (by its ID) or from the release (by its digests).
 *
 * @param disk present exactly for {@link OutputKind#IMAGE}
 */
public record Profile(
        SchematicId schematicId,
        TalosVersion version,
        OutputKind kind,
        Platform platform,
        Arch arch,
        boolean secureBoot,
        Optional<DiskImageOptions> disk) {

    public Profile {
        Objects.requireNonNull(schematicId, "schematicId");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(disk, "disk");
        if (disk.isPresent() != (kind == OutputKind.IMAGE)) {
            throw new IllegalArgumentException("disk options go with disk images, and only with them");
        }
    }

    /**
     * How a disk image is sized and packaged.
     *
     * @param baseSizeBytes the platform's default size, before the builder adds what the version and bootloader
     *                      need (talos-imager.md §6.1)
     * @param formatOptions {@code qemu-img -o} options for {@link DiskFormat#QCOW2} and {@link DiskFormat#VHD}
     */
    public record DiskImageOptions(DiskFormat format, OutputCompression compression, long baseSizeBytes,
            String formatOptions) {

        public DiskImageOptions {
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(compression, "compression");
            Objects.requireNonNull(formatOptions, "formatOptions");
        }

        /**
         * The factory's defaults for a platform (talos-imager.md §8.2): the size of the platform's Talos default
         * profile, else 8192 MiB; format options {@code cluster_size=8k} for qcow2, replaced by the default
         * profile's non-empty options.
         *
         * <p>Deliberate difference: upstream takes the default profile's options whatever format the URL asks for,
         * so {@code azure-amd64.qcow2} is converted with {@code subformat=fixed,force_size} and
         * {@code alibabacloud-amd64.vhd} with {@code cluster_size=8k}, which {@code qemu-img} refuses (500). Here the
         * profile's options apply only when the URL's format is the profile's own format.
         */
        public static DiskImageOptions forPlatform(Platform platform, DiskFormat format, OutputCompression compression) {
            long size = Platform.DEFAULT_RAW_DISK_SIZE;
            String options = format == DiskFormat.QCOW2 ? "cluster_size=8k" : "";
            Optional<Platform.DiskDefaults> defaults = platform.diskDefaults();
            if (defaults.isPresent()) {
                size = defaults.get().sizeBytes();
                if (defaults.get().format() == format && !defaults.get().formatOptions().isEmpty()) {
                    options = defaults.get().formatOptions();
                }
            }
            return new DiskImageOptions(format, compression, size, options);
        }
    }


    public Quirks quirks() {
        return Quirks.of(version);
    }

    /** Metric labels of this profile's build ({@code output_kind}, {@code talos_version}, {@code arch}). */
    public BuildLabels labels() {
        return new BuildLabels(kind.talosName(), version.toString(), arch.goName());
    }
}
