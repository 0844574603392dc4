package dev.imagefactory.catalog;

import dev.imagefactory.model.Arch;

/** The boot files a release provides per architecture under {@code usr/install/<arch>/} (talos-imager.md §1.1). */
public enum BootFile {
    KERNEL("vmlinuz"),
    INITRAMFS("initramfs.xz"),
    SD_STUB("systemd-stub.efi"),
    SD_BOOT("systemd-boot.efi");

    private final String fileName;

    BootFile(String fileName) {
        this.fileName = fileName;
    }

    public String fileName() {
        return fileName;
    }

    /** Path inside the imager image / release directory, e.g. {@code usr/install/amd64/vmlinuz}. */
    public String pathFor(Arch arch) {
        return "usr/install/" + arch.goName() + "/" + fileName;
    }
}
