package dev.imagefactory.schematic;

import dev.imagefactory.bootargs.GrubLinuxArgs;
import dev.imagefactory.bootargs.IpxeArgs;
import dev.imagefactory.bootargs.UnwritableKernelArgException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Refuses, at {@code POST /schematics}, extra kernel args that a boot format cannot carry unchanged: whatever
 * {@link IpxeArgs} or {@link GrubLinuxArgs} would refuse at build time ({@code ${...}}, {@code \}, {@code '}, double
 * quotes the kernel keeps, control characters) and an unbalanced double quote (the kernel would read the rest of the
 * command line into that argument). What the writers escape exactly (iPXE's {@code &&}, {@code ||}, {@code ;},
 * {@code #...}; GRUB's {@code $}, {@code #}, {@code ;} ...) is accepted: the reference accepts it too and clients
 * expect the same schematic ID. Schematics stored before keep loading: the writers escape or refuse at build time.
 */
public final class KernelArgsCheck {

    /** Go's {@code unicode.IsSpace}, which splits the args into the cmdline's words (go-procfs). */
    private static final Pattern GO_SPACE = Pattern.compile("[\\t\\n\\x0B\\f\\r\\x{85}\\p{Z}]+");

    private KernelArgsCheck() {
    }

    /** @throws UnwritableKernelArgException (400) naming the first argument that cannot be carried */
    public static void requireWritable(CanonicalSchematic schematic) {
        Schematic.Customization customization = schematic.schematic().customization();
        List<String> args = customization == null || customization.extraKernelArgs() == null
                ? List.of() : customization.extraKernelArgs();
        if (args.isEmpty()) {
            return;
        }
        // the words as the cmdline will hold them: split at Go's unicode.IsSpace, joined by single spaces
        List<String> words = Arrays.stream(GO_SPACE.split(String.join(" ", args))).filter(w -> !w.isEmpty()).toList();
        String line = String.join(" ", words);
        if (line.chars().filter(c -> c == '"').count() % 2 != 0) {
            String arg = args.stream().filter(a -> a.chars().filter(c -> c == '"').count() % 2 != 0)
                    .findFirst().orElse(line);
            throw new UnwritableKernelArgException(arg, "a kernel command line",
                    "an unbalanced double quote makes the kernel read the rest of the command line into it");
        }
        IpxeArgs.words(line);
        GrubLinuxArgs.words(line);
    }
}
