package dev.imagefactory.boot;

import java.nio.file.Path;

/** Debian's OVMF firmware files the boot tests use (package ovmf); the snakeoil pair is in {@link SnakeoilKeys}. */
public final class Ovmf {

    /** UEFI without Secure Boot. */
    public static final Path CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
    /** UEFI that can enforce Secure Boot (needs {@link Qemu#secureBootMachine()}). */
    public static final Path SECBOOT_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
    /** Empty variables: no keys enrolled, so Secure Boot firmware starts in setup mode. Copy before use. */
    public static final Path EMPTY_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");

    private Ovmf() {
    }
}
