package dev.imagefactory.model;

import java.util.Locale;

/** What one asset is (Talos' OutputKind). */
public enum OutputKind {
    /** The kernel image as shipped ({@code vmlinuz}); shared by every schematic of a version. */
    KERNEL,
    /** The kernel command line text, no trailing newline. */
    CMDLINE,
    /** {@code initramfs.xz} with the schematic's extensions appended. */
    INITRAMFS,
    ISO,
    /** A Unified Kernel Image ({@code .efi}), signed when SecureBoot is requested. */
    UKI,
    /** An installer container image as an OCI tarball. */
    INSTALLER,
    /** A disk image (raw, qcow2, vhd, ova), optionally compressed. */
    IMAGE;

    /** Talos' lower-case name: {@code kernel}, {@code cmdline}, ..., {@code image}. */
    public String talosName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return talosName();
    }
}
