package dev.imagefactory.build.disk;

/** What goes into a partition of a disk image (talos-imager.md §6.3, §6.4). */
public enum PartitionRole {
    /** vfat: systemd-boot, the UKI, loader.conf (sd-boot and dual-boot layouts). */
    EFI_SYSTEMD_BOOT,
    /** vfat: GRUB's EFI binary (grub layout). */
    EFI_GRUB,
    /** raw: GRUB's core.img, found by the patched boot.img in sector 0. */
    BIOS,
    /** XFS: kernel, initramfs, grub.cfg. */
    BOOT,
    /** The Talos ADV with the image's META values, or zeroes. */
    META,
    /** Created but left unformatted (STATE, EPHEMERAL before Talos 1.8). */
    UNFORMATTED
}
