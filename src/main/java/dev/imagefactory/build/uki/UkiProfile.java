package dev.imagefactory.build.uki;

import java.util.Objects;

/**
 * An extra UKI profile after {@code main} (Talos >= 1.10, talos-imager.md §4.2): a {@code .profile} section
 * {@code ID=<id>\nTITLE=<title>} followed by its own {@code .cmdline}.
 */
public record UkiProfile(String id, String title, String cmdline) {

    /** The profile every UKI of Talos >= 1.10 has first; reserved. */
    public static final String MAIN = "main";

    public UkiProfile {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(cmdline, "cmdline");
        if (id.isEmpty() || id.equals(MAIN)) {
            throw new IllegalArgumentException("profile ID '" + id + "' is empty or reserved");
        }
        if ((id + title).chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0)) {
            throw new IllegalArgumentException("profile ID and title are single lines: '" + id + "', '" + title + "'");
        }
    }

    /** The ISO's extra profile: wipe the system disk. */
    public static UkiProfile isoReset(String cmdline) {
        return new UkiProfile("reset", "Reset system disk", cmdline + " talos.experimental.wipe=system");
    }

    /** The extra profile of disk images and the installer: back to maintenance mode. */
    public static UkiProfile resetToMaintenance(String cmdline) {
        return new UkiProfile("reset-maintenance", "Reset to maintenance mode",
                cmdline + " talos.experimental.wipe=system:EPHEMERAL,STATE");
    }

    /** The {@code .profile} section text (no trailing newline). */
    public String profileText() {
        return "ID=" + id + "\nTITLE=" + title;
    }
}
