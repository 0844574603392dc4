package dev.imagefactory.build.iso;

import java.util.Locale;

/** The ISO's volume label and ID (talos-imager.md §5.5), set from Talos 1.8 ({@code SupportsISOLabel}). */
public final class VolumeId {

    private static final int MAX_LENGTH = 32;

    private VolumeId() {
    }

    /**
     * {@code Talos-<version>}, the version with its {@code v}. Upstream has an {@code SB-} variant for SecureBoot,
     * but always asks for the plain one, so SecureBoot ISOs carry the same label.
     */
    public static String label(String version) {
        return "Talos-" + version;
    }

    /** The ISO9660 volume ID of a label: upper case, {@code _ - .} become {@code _}, other non-[A-Z0-9] dropped, 32 max. */
    public static String of(String label) {
        StringBuilder id = new StringBuilder();
        for (char c : label.toUpperCase(Locale.ROOT).toCharArray()) {
            if (id.length() == MAX_LENGTH) {
                break;
            }
            if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                id.append(c);
            } else if (c == '_' || c == '-' || c == '.') {
                id.append('_');
            }
        }
        return id.toString();
    }
}
