package dev.imagefactory.build.iso;

import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.Arch;
import dev.imagefactory.schematic.Bootloader;

/**
 * The three ways an ISO boots (talos-imager.md §5.1), one generator each.
 */
public enum IsoLayout {
    /** GRUB for BIOS and UEFI, made by {@code grub-mkrescue} (§5.2): {@link GrubIsoGenerator}. */
    GRUB("grub"),
    /** systemd-boot + UKI on an appended ESP, UEFI only; the only SecureBoot ISO (§5.3): {@link UefiIsoGenerator}. */
    UEFI("sd-boot"),
    /** GRUB for BIOS, systemd-boot + UKI on an appended GPT ESP for UEFI (§5.4): {@link HybridIsoGenerator}. */
    HYBRID("dual-boot");

    private final String bootloaderName;

    IsoLayout(String bootloaderName) {
        this.bootloaderName = bootloaderName;
    }

    /** The bootloader kind this layout stands for, as a schematic names it ({@code grub}, {@code sd-boot}, ...). */
    public String bootloaderName() {
        return bootloaderName;
    }

    /** Whether the ISO carries systemd-boot and a UKI (the UEFI-only and hybrid layouts). */
    public boolean usesUki() {
        return this != GRUB;
    }

    /**
     * The layout of an ISO (§5.1):
     * <ul>
     *   <li>SecureBoot: UEFI-only, whatever else was asked;</li>
     *   <li>Talos >= 1.12: the schematic's {@code bootloader} — {@code dual-boot} → hybrid, {@code sd-boot} → UEFI-only,
     *       {@code grub} → GRUB; unset → sd-boot on arm64 (the default for arm64 from 1.10), dual-boot otherwise;</li>
     *   <li>1.10 and 1.11: hybrid, also for arm64 (the schematic's choice is ignored, as upstream);</li>
     *   <li>before 1.10: GRUB.</li>
     * </ul>
     * {@code none} is the zero value of the schematic field: a schematic that says {@code bootloader: none} is the
     * same schematic (same canonical form, same ID) as one that says nothing, so it means "automatic" here, as in
     * upstream's {@code selectBootloader}. The imager's own refusal of an ISO profile whose bootloader stays
     * {@code none} cannot be reached from a schematic.
     *
     * @param requested the schematic's {@code customization.bootloader}; {@link Bootloader#NONE} or null when unset
     */
    public static IsoLayout choose(Quirks quirks, Arch arch, boolean secureBoot, Bootloader requested) {
        if (secureBoot) {
            return UEFI;
        }
        if (quirks.isoSupportsSettingBootloader()) {
            Bootloader effective = requested != null && requested != Bootloader.NONE ? requested
                    : arch == Arch.ARM64 && quirks.useSdBootForUefi() ? Bootloader.SD_BOOT : Bootloader.DUAL_BOOT;
            return switch (effective) {
                case DUAL_BOOT, NONE -> HYBRID;
                case SD_BOOT -> UEFI;
                case GRUB -> GRUB;
            };
        }
        return quirks.useSdBootForUefi() ? HYBRID : GRUB;
    }
}
