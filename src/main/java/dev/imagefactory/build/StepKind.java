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
    SIGNED_SYSTEMD_BOOT("systemd-boot-signed");

    private final String id;

    StepKind(String id) {
        this.id = id;
    }

    /** The name in plans and logs. */
    public String id() {
        return id;
    }
}
