package dev.imagefactory.bootargs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The arguments of a {@code grub.cfg} {@code linux} line, for any config that boots a kernel through GRUB (the ISOs,
 * later disk images).
 *
 * <p>Two layers read them. GRUB's script lexer (grub-core/script/yylex.l) gives {@code $ ; & | < > { } # '} and
 * {@code "} and white space meaning; inside single quotes nothing is special, so each argument that is not plain is
 * written as one single-quoted word and GRUB reads it back exactly. Then the {@code linux} command rebuilds a command
 * line from its words (grub_create_loader_cmdline, grub-core/lib/cmdline.c): it puts a backslash before every
 * {@code \}, {@code '} and {@code "} and wraps a word that holds a space in double quotes. The kernel has no escapes,
 * so an argument that the kernel reads with one of {@code \ ' "} in it cannot reach it unchanged: refused. Double
 * quotes that only group (as in {@code q="a b"}) are dropped by the kernel anyway, so the argument is written as what
 * the kernel reads, {@code q=a b}, and GRUB's own quoting hands the kernel {@code "q=a b"}: the same name and value.
 */
public final class GrubLinuxArgs {

    static final String FORMAT = "grub.cfg";

    /** Words GRUB's lexer reads literally without quotes; anything else is single-quoted. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.,:/=+@%^~-]+");

    private GrubLinuxArgs() {
    }

    /**
     * The {@code linux} line's arguments for {@code cmdline}, separated by spaces.
     *
     * @throws UnwritableKernelArgException for an argument GRUB cannot hand to the kernel as it is read
     */
    public static String words(String cmdline) {
        List<String> words = new ArrayList<>();
        for (KernelArgs.Arg arg : KernelArgs.split(cmdline)) {
            words.add(word(arg));
        }
        return String.join(" ", words);
    }

    private static String word(KernelArgs.Arg arg) {
        int control = UnwritableKernelArgException.controlCharacter(arg.text());
        if (control >= 0) {
            throw new UnwritableKernelArgException(arg.text(), FORMAT,
                    String.format("it holds the control character U+%04X", control));
        }
        String read = arg.read();
        if (read.isEmpty()) {
            throw new UnwritableKernelArgException(arg.text(), FORMAT, "the kernel reads it as an empty argument");
        }
        for (char c : new char[] {'\\', '\'', '"'}) {
            if (read.indexOf(c) >= 0) {
                throw new UnwritableKernelArgException(arg.text(), FORMAT, "GRUB's linux command passes " + c
                        + " to the kernel as \\" + c + (c == '"' ? " (only double quotes that group, as in k=\"a b\","
                        + " can be carried)" : ""));
            }
        }
        return PLAIN.matcher(read).matches() ? read : "'" + read + "'";
    }
}
