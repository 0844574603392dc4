package dev.imagefactory.build.iso;

import dev.imagefactory.bootargs.GrubLinuxArgs;

/**
 * The ISO's {@code boot/grub/grub.cfg} (talos-imager.md §5.2): boot the default entry after three seconds, with a
 * second entry that wipes the system disk from Talos 1.4 ({@code SupportsResetGRUBOption}). The text, byte for byte,
 * is the one Talos' imager renders from its template as long as every argument is plain; Talos' backslash quoting
 * loses {@code '}, {@code #} and grouping quotes, so arguments are written by {@link GrubLinuxArgs} instead.
 */
public final class GrubConfig {

    private static final String HEAD = """
            set default=0
            set timeout=3

            insmod all_video

            terminal_input console
            terminal_output console

            """;

    private GrubConfig() {
    }

    /**
     * The file content; {@code cmdline} is written for GRUB here ({@link GrubLinuxArgs}).
     *
     * @throws dev.imagefactory.bootargs.UnwritableKernelArgException (400) for an argument GRUB cannot carry
     */
    public static String render(String cmdline, boolean resetEntry) {
        String quoted = GrubLinuxArgs.words(cmdline);
        StringBuilder cfg = new StringBuilder(HEAD);
        cfg.append(entry("Talos ISO", quoted)).append('\n');
        if (resetEntry) {
            cfg.append(entry("Reset Talos installation", quoted + " talos.experimental.wipe=system"));
        }
        return cfg.toString();
    }

    private static String entry(String title, String args) {
        return "menuentry \"" + title + "\" {\n"
                + "\tset gfxmode=auto\n"
                + "\tset gfxpayload=text\n"
                + "\tlinux /boot/vmlinuz " + args + "\n"
                + "\tinitrd /boot/initramfs.xz\n"
                + "}\n";
    }
}
