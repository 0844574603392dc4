package dev.imagefactory.model;

import dev.imagefactory.errors.InvalidInputException;
import java.util.Locale;

/** A target CPU architecture, named as Go and OCI name it. */
public enum Arch {
    AMD64, ARM64;

    /** {@code amd64} / {@code arm64}: the name in URLs, OCI platforms and {@code usr/install/<arch>/}. */
    public String goName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kernel's {@code COMMAND_LINE_SIZE} for this architecture, terminating NUL included (2048 on x86 and arm64
     * since Linux 3.x): the boot protocol and the EFI stub cut a longer command line, so the factory refuses it.
     */
    public int commandLineSize() {
        return 2048;
    }

    /**
     * Parses the architecture of an asset path; iPXE's build-arch names {@code x86_64} and {@code i386} mean amd64
     * (image-factory-reference §1.4). Anything else is the client's mistake.
     */
    public static Arch parse(String text) {
        switch (text) {
            case "amd64":
            case "x86_64":
            case "i386":
                return AMD64;
            case "arm64":
                return ARM64;
            default:
                throw new InvalidInputException("invalid architecture \"" + text + "\"");
        }
    }

    @Override
    public String toString() {
        return goName();
    }
}
