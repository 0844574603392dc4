package dev.imagefactory.build.iso;

import java.util.Set;

/** systemd-boot's {@code loader/loader.conf} on the ISO's ESP (talos-imager.md §5.3). */
public final class LoaderConf {

    /** What systemd-boot does with {@code loader/keys/auto/*.auth}: the schematic's {@code secureboot.enrollKeys}. */
    public static final Set<String> ENROLL_MODES = Set.of("if-safe", "manual", "force", "off");

    /** Non-SecureBoot ISOs never enroll keys. */
    public static final String ENROLL_OFF = "off";

    private LoaderConf() {
    }

    public static String render(String secureBootEnroll) {
        if (!ENROLL_MODES.contains(secureBootEnroll)) {
            throw new IllegalArgumentException("secure-boot-enroll must be one of " + ENROLL_MODES + ", got "
                    + secureBootEnroll);
        }
        return "# systemd-boot configuration\n\ntimeout 10\n\nsecure-boot-enroll " + secureBootEnroll + "\n";
    }
}
