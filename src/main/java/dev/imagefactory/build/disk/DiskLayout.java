package dev.imagefactory.build.disk;

import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.model.Arch;
import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.schematic.Bootloader;

/** The three ways a disk image boots (talos-imager.md §6.3), named as a schematic's {@code bootloader} names them. */
public enum DiskLayout {
    /** GRUB for UEFI (its own ESP) and, on amd64, BIOS; kernel and initramfs on the XFS BOOT partition. */
    GRUB("grub"),
    /** systemd-boot and the UKI on a large ESP; UEFI only. The only SecureBoot layout. */
    SD_BOOT("sd-boot"),
    /** systemd-boot + UKI for UEFI, GRUB from the BIOS partition and BOOT for BIOS machines (amd64 only). */
    DUAL_BOOT("dual-boot");

    private final String bootloaderName;

    DiskLayout(String bootloaderName) {
        this.bootloaderName = bootloaderName;
    }

    public String bootloaderName() {
        return bootloaderName;
    }

    /** Whether the ESP carries systemd-boot and a UKI. */
    public boolean usesUki() {
        return this != GRUB;
    }

    /** Whether GRUB boots kernel and initramfs from the BOOT partition (BIOS, or UEFI for {@link #GRUB}). */
    public boolean usesGrub() {
        return this != SD_BOOT;
    }

    /**
     * Talos' {@code selectBootloader} for disk images (§6.1, §5.1), at every version: SecureBoot → sd-boot (over any
     * choice); else the schematic's choice; else sd-boot on arm64 from 1.10, GRUB before 1.10, dual-boot otherwise.
     * Upstream fails inside the build (500) for choices the image cannot have; they are the client's, so 400 here:
     * dual-boot on arm64 (no BIOS there), sd-boot before UKIs existed (1.5).
     *
     * @param requested the schematic's {@code customization.bootloader}; {@link Bootloader#NONE} or null = automatic
     */
    public static DiskLayout choose(Quirks quirks, TalosVersion version, Arch arch, boolean secureBoot,
            Bootloader requested) {
        DiskLayout layout;
        if (secureBoot) {
            layout = SD_BOOT;
        } else if (requested != null && requested != Bootloader.NONE) {
            layout = switch (requested) {
                case GRUB -> GRUB;
                case SD_BOOT -> SD_BOOT;
                case DUAL_BOOT, NONE -> DUAL_BOOT;
            };
        } else if (arch == Arch.ARM64 && quirks.useSdBootForUefi()) {
            layout = SD_BOOT;
        } else if (!quirks.useSdBootForUefi()) {
            layout = GRUB;
        } else {
            layout = DUAL_BOOT;
        }
        if (layout == DUAL_BOOT && arch == Arch.ARM64) {
            throw new InvalidInputException("bootloader dual-boot is not supported on arm64 disk images (no BIOS)");
        }
        if (layout.usesUki() && !quirks.supportsUki()) {
            throw new InvalidInputException((secureBoot ? "SecureBoot" : "bootloader " + layout.bootloaderName)
                    + " is not supported for Talos version " + version + " (UKIs need 1.5 or later)");
        }
        return layout;
    }

    @Override
    public String toString() {
        return bootloaderName;
    }
}
