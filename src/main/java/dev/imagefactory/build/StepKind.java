package dev.imagefactory.build;

/** The kinds of build steps: every output kind a URL names, and the intermediates outputs are made of. */
public enum StepKind {
    KERNEL("kernel"),
    CMDLINE("cmdline"),
    EXTENSION_SQUASHFS("extension-squashfs"),
    INITRAMFS("initramfs"),
    UKI("uki"),
    ISO("iso"),
    INSTALLER("installer"),
    SIGNED_SYSTEMD_BOOT("systemd-boot-signed"),
    /** A raw disk image (talos-imager.md §6.1–6.5). */
    DISK_IMAGE("disk-image"),
    /** A raw disk image wrapped as qcow2, vhd or ova (§6.6). */
    DISK_FORMAT("disk-format"),
    /** A disk image compressed for download (§6.6). */
    DISK_COMPRESSION("disk-compression");

    private final String id;

    StepKind(String id) {
        this.id = id;
    }

    /** The name in plans and logs. */
    public String id() {
        return id;
    }
}
