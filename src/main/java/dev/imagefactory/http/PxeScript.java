package dev.imagefactory.http;

import dev.imagefactory.bootargs.IpxeArgs;

/**
 * The iPXE scripts of image-factory-reference §2, byte for byte: the standard one loads kernel + initramfs, the
 * SecureBoot one boots the signed UKI. Both pass the cmdline asset on the {@code kernel} line, written for iPXE by
 * {@link IpxeArgs} (the same bytes for ordinary arguments; an argument iPXE would read as a command separator,
 * comment or line continuation is escaped, one it would expand is refused with a 400).
 */
final class PxeScript {

    private PxeScript() {
    }

    /**
     * @param base the PXE base URL ({@code factory.external-pxe-url}, else the external URL)
     * @param versionTag the version as requested, with a leading {@code v} ensured
     */
    static String standard(String base, String schematicId, String versionTag, String arch, String cmdline) {
        String prefix = imagePrefix(base, schematicId, versionTag);
        return "#!ipxe\n\nimgfree\nkernel " + prefix + "kernel-" + arch + " " + IpxeArgs.words(cmdline) + "\ninitrd "
                + prefix + "initramfs-" + arch + ".xz\nboot\n";
    }

    static String secureBoot(String base, String schematicId, String versionTag, String platform, String arch,
            String cmdline) {
        return "#!ipxe\n\nimgfree\nkernel " + imagePrefix(base, schematicId, versionTag) + platform + "-" + arch
                + "-secureboot-uki.efi " + IpxeArgs.words(cmdline) + "\nboot\n";
    }

    private static String imagePrefix(String base, String schematicId, String versionTag) {
        String trimmed = base.replaceAll("/+$", "");
        return trimmed + "/image/" + schematicId + "/" + versionTag + "/";
    }
}
