package dev.imagefactory.schematic;

import java.util.Locale;

/** Talos' imageropts.BootloaderKind: text-encoded, matched exactly and then case-insensitively. */
public enum Bootloader {
    NONE("none"), DUAL_BOOT("dual-boot"), SD_BOOT("sd-boot"), GRUB("grub");

    private final String text;

    Bootloader(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** Returns null for text that names no bootloader. */
    public static Bootloader parse(String s) {
        for (Bootloader b : values()) {
            if (b.text.equals(s)) {
                return b;
            }
        }
        String lower = s.toLowerCase(Locale.ROOT);
        for (Bootloader b : values()) {
            if (b.text.equals(lower)) {
                return b;
            }
        }
        return null;
    }
}
