package dev.imagefactory.boot;

import java.nio.file.Path;

/** Debian's AAVMF firmware files (package qemu-efi-aarch64): UEFI for QEMU's arm64 {@code virt} board. */
public final class Aavmf {

    /** UEFI without Secure Boot (64 MiB pflash image). */
    public static final Path CODE = Path.of("/usr/share/AAVMF/AAVMF_CODE.fd");
    /** Empty variables (64 MiB pflash image). Copy before use: the firmware writes to it. */
    public static final Path EMPTY_VARS = Path.of("/usr/share/AAVMF/AAVMF_VARS.fd");

    private Aavmf() {
    }
}
