package dev.imagefactory.build.disk;

import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.model.Quirks;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The size and partitions of a disk image before anything is written (talos-imager.md §6.1, §6.3): pure arithmetic
 * on the layout, the version's partition sizes and the platform's base size, so a plan can carry it and a test can
 * check it against the spec's figures.
 *
 * @param sizeBytes  the image's exact size
 * @param sectorSize 512 or 4096: GPT, vfat and XFS
 * @param partitions in disk order, with their roles
 */
public record DiskShape(long sizeBytes, int sectorSize, List<Part> partitions) {

    public static final long MIB = 1024L * 1024;
    /** The sector sizes a schematic may ask for ({@code customization.diskImage.sectorSize}). */
    public static final List<Integer> SECTOR_SIZES = List.of(512, 4096);

    static final long GRUB_EFI_SIZE = 100 * MIB;
    static final long BIOS_SIZE = MIB;
    static final long META_SIZE = MIB;
    static final long STATE_SIZE = 100 * MIB;
    /** The BOOT size that platform base sizes were chosen for; a bigger BOOT grows the image (§6.1). */
    static final long BASE_BOOT_SIZE = 1000 * MIB;

    /** One partition: its label (also the source of its GUIDs), type, size (0 = the rest) and role. */
    public record Part(String label, java.util.UUID type, long sizeBytes, long attributes, PartitionRole role) {
        public PartitionRequest request() {
            return new PartitionRequest(label, type, sizeBytes, attributes);
        }
    }

    public DiskShape {
        partitions = List.copyOf(partitions);
    }

    /**
     * The shape Talos' imager gives an image of {@code layout} for {@code quirks}' version: base size plus
     * (BOOT − 1000 MiB), plus BIOS + BOOT for dual-boot; the partitions of §6.3, STATE and EPHEMERAL before 1.8.
     *
     * @param sectorSize the schematic's {@code diskImage.sectorSize}; 0 = 512. Anything but 512/4096 → 400.
     */
    public static DiskShape of(DiskLayout layout, Quirks quirks, long baseSizeBytes, long sectorSize) {
        int sector = sectorSize(sectorSize);
        long boot = quirks.bootPartitionSizeBytes();
        long size = baseSizeBytes + (boot - BASE_BOOT_SIZE);
        if (layout == DiskLayout.DUAL_BOOT) {
            size += BIOS_SIZE + boot;
        }
        List<Part> parts = new ArrayList<>();
        switch (layout) {
            case GRUB -> {
                parts.add(new Part("EFI", Gpt.EFI_SYSTEM, GRUB_EFI_SIZE, 0, PartitionRole.EFI_GRUB));
                parts.add(new Part("BIOS", Gpt.BIOS_BOOT, BIOS_SIZE, Gpt.LEGACY_BIOS_BOOTABLE, PartitionRole.BIOS));
                parts.add(new Part("BOOT", Gpt.LINUX_FILESYSTEM, boot, 0, PartitionRole.BOOT));
            }
            case SD_BOOT -> parts.add(new Part("EFI", Gpt.EFI_SYSTEM, ukiEspSize(boot), 0,
                    PartitionRole.EFI_SYSTEMD_BOOT));
            case DUAL_BOOT -> {
                parts.add(new Part("EFI", Gpt.EFI_SYSTEM, ukiEspSize(boot), 0, PartitionRole.EFI_SYSTEMD_BOOT));
                parts.add(new Part("BIOS", Gpt.BIOS_BOOT, BIOS_SIZE, Gpt.LEGACY_BIOS_BOOTABLE, PartitionRole.BIOS));
                parts.add(new Part("BOOT", Gpt.LINUX_FILESYSTEM, boot, 0, PartitionRole.BOOT));
            }
        }
        parts.add(new Part("META", Gpt.LINUX_FILESYSTEM, META_SIZE, 0, PartitionRole.META));
        if (!quirks.skipDataPartitions()) {
            parts.add(new Part("STATE", Gpt.LINUX_FILESYSTEM, STATE_SIZE, 0, PartitionRole.UNFORMATTED));
            parts.add(new Part("EPHEMERAL", Gpt.LINUX_FILESYSTEM, 0, 0, PartitionRole.UNFORMATTED));
        }
        return new DiskShape(size, sector, parts);
    }

    /** The UKI layouts' ESP: GRUB's ESP + BIOS + BOOT (1101 or 2101 MiB), §0.1 partition sizes. */
    private static long ukiEspSize(long boot) {
        return GRUB_EFI_SIZE + BIOS_SIZE + boot;
    }

    /** {@code diskImage.sectorSize}: unset → 512; 512 or 4096; anything else is the client's mistake. */
    public static int sectorSize(long requested) {
        if (requested == 0) {
            return 512;
        }
        if (!SECTOR_SIZES.contains((int) requested) || requested != (int) requested) {
            throw new InvalidInputException("invalid diskImage sectorSize " + requested + ": must be 512 or 4096");
        }
        return (int) requested;
    }

    /** The partition requests for {@link Gpt#layout}, in disk order. */
    public List<PartitionRequest> requests() {
        return partitions.stream().map(Part::request).toList();
    }

    /** The partition with {@code role}, if the layout has one. */
    public java.util.Optional<Part> part(PartitionRole role) {
        Objects.requireNonNull(role, "role");
        return partitions.stream().filter(p -> p.role() == role).findFirst();
    }
}
