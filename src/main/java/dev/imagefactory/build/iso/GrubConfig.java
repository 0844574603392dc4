package dev.imagefactory.build.iso;

/**
 * The ISO's {@code boot/grub/grub.cfg} (talos-imager.md §5.2): boot the default entry after three seconds, with a
 * second entry that wipes the system disk from Talos 1.4 ({@code SupportsResetGRUBOption}). The text, byte for byte,
 * is the one Talos' imager renders from its template.
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

    /** The file content; {@code cmdline} is quoted for GRUB here. */
    public static String render(String cmdline, boolean resetEntry) {
        String quoted = quote(cmdline);
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

    /**
     * GRUB's word quoting as Talos applies it: a backslash before each of {@code \ { } & $ | ; < > "}, everything
     * else (spaces included: they separate the kernel's arguments) as is.
     */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ("\\{}&$|;<>\"".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
