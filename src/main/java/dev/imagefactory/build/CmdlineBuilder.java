package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.Platform;
import dev.imagefactory.model.Quirks;

import dev.imagefactory.model.Arch;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.schematic.Schematic;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Assembles the kernel command line of one build, in Talos imager's order (talos-imager.md §3.2):
 * <ol>
 *   <li>{@code talos.platform=<name>};</li>
 *   <li>the platform's kernel args (§3.3), with {@code setAll};</li>
 *   <li>ISO output and {@link Quirks#supportsHaltIfInstalled()}: {@code talos.halt_if_installed=1};</li>
 *   <li>the overlay installer's kernel args, with {@code setAll} (so e.g. its {@code console} replaces the
 *       platform's in place);</li>
 *   <li>the default args for the version (§3.4), with {@code appendAll};</li>
 *   <li>SecureBoot: {@code lockdown=confidentiality} while {@link Quirks#forcesLockdownConfidentiality()};</li>
 *   <li>the encoded META values as {@code talos.environment=INSTALLER_META_BASE64=...}, unless the output is a
 *       disk image (which carries them in its META partition);</li>
 *   <li>the user's extra kernel args: {@code console} and {@code talos.platform} replace, {@code -key} and
 *       {@code -key=value} remove, anything else is appended.</li>
 * </ol>
 * Which of the schematic's customizations an output takes at all (§3.5) is decided by {@link #forSchematic}; the
 * canonical constructor takes the inputs as given.
 *
 * @param overlayKernelArgs kernel args reported by the overlay installer's {@code get-options}; empty without one
 * @param encodedMeta       {@link MetaEncoding} output, or empty/null for no META values
 * @param extraKernelArgs   the schematic's {@code customization.extraKernelArgs}, as far as this output takes them
 */
public record CmdlineBuilder(
        Platform platform,
        Arch arch,
        Quirks quirks,
        OutputKind output,
        boolean secureBoot,
        List<String> overlayKernelArgs,
        String encodedMeta,
        List<String> extraKernelArgs) {

    private static final Set<String> USER_OVERWRITES = Set.of("console", "talos.platform");

    public CmdlineBuilder {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(quirks, "quirks");
        Objects.requireNonNull(output, "output");
        overlayKernelArgs = overlayKernelArgs == null ? List.of() : List.copyOf(overlayKernelArgs);
        encodedMeta = encodedMeta == null ? "" : encodedMeta;
        extraKernelArgs = extraKernelArgs == null ? List.of() : List.copyOf(extraKernelArgs);
    }

    /** A cmdline without SecureBoot, overlay, META or extra args. */
    public static CmdlineBuilder of(Platform platform, Arch arch, Quirks quirks, OutputKind output) {
        return new CmdlineBuilder(platform, arch, quirks, output, false, List.of(), "", List.of());
    }

    /**
     * The cmdline of one output for a schematic, taking from it only what the reference factory passes for that
     * output kind (§3.5, {@code EnhanceFromSchematic}): extra args and META for {@code cmdline}, ISO and disk
     * images (a disk image's META then stays off the cmdline); extra args only for UKI and installer, and only with
     * SecureBoot or {@link Quirks#supportsUnifiedInstaller()}; nothing for kernel and initramfs.
     */
    public static CmdlineBuilder forSchematic(
            Platform platform, Arch arch, Quirks quirks, OutputKind output, boolean secureBoot,
            Schematic.Customization customization, List<String> overlayKernelArgs) {
        List<String> extra = takesExtraKernelArgs(output, secureBoot, quirks)
                ? customization.extraKernelArgs() : List.of();
        // a disk image takes META too, but in its META partition: never on the cmdline
        String meta = takesMeta(output) && output != OutputKind.IMAGE && !customization.meta().isEmpty()
                ? MetaEncoding.encode(customization.meta(), quirks) : "";
        return new CmdlineBuilder(platform, arch, quirks, output, secureBoot, overlayKernelArgs, meta, extra);
    }

    /** §3.5: whether the schematic's extraKernelArgs reach this output's cmdline. */
    public static boolean takesExtraKernelArgs(OutputKind output, boolean secureBoot, Quirks quirks) {
        return switch (output) {
            case CMDLINE, ISO, IMAGE -> true;
            case UKI, INSTALLER -> secureBoot || quirks.supportsUnifiedInstaller();
            case KERNEL, INITRAMFS -> false;
        };
    }

    /** §3.5: whether the factory passes the schematic's META values for this output (the imager rejects them for
     *  installers; disk images write them to the META partition instead of the cmdline). */
    public static boolean takesMeta(OutputKind output) {
        return output == OutputKind.CMDLINE || output == OutputKind.ISO || output == OutputKind.IMAGE;
    }

    public CmdlineBuilder withSecureBoot(boolean enabled) {
        return new CmdlineBuilder(platform, arch, quirks, output, enabled, overlayKernelArgs, encodedMeta,
                extraKernelArgs);
    }

    public CmdlineBuilder withOverlayKernelArgs(List<String> args) {
        return new CmdlineBuilder(platform, arch, quirks, output, secureBoot, args, encodedMeta, extraKernelArgs);
    }

    public CmdlineBuilder withEncodedMeta(String encoded) {
        return new CmdlineBuilder(platform, arch, quirks, output, secureBoot, overlayKernelArgs, encoded,
                extraKernelArgs);
    }

    public CmdlineBuilder withExtraKernelArgs(List<String> args) {
        return new CmdlineBuilder(platform, arch, quirks, output, secureBoot, overlayKernelArgs, encodedMeta, args);
    }

    /** The assembled command line, for callers that inspect it. */
    public KernelCmdline build() {
        KernelCmdline cmdline = new KernelCmdline();
        cmdline.append("talos.platform", platform.talosName());
        cmdline.setAll(platform.kernelArgs(arch, quirks));
        if (output == OutputKind.ISO && quirks.supportsHaltIfInstalled()) {
            cmdline.append("talos.halt_if_installed", "1");
        }
        cmdline.setAll(overlayKernelArgs);
        cmdline.appendAll(defaultArgs(quirks));
        if (secureBoot) {
            cmdline.appendAll(secureBootArgs(quirks));
        }
        if (!encodedMeta.isEmpty() && output != OutputKind.IMAGE) {
            cmdline.append("talos.environment", "INSTALLER_META_BASE64=" + encodedMeta);
        }
        cmdline.appendAll(extraKernelArgs, USER_OVERWRITES, true);
        return cmdline;
    }

    /**
     * The command line text, exactly as upstream writes it (no trailing newline). A command line the kernel would
     * cut ({@link Arch#commandLineSize()}) is refused with a 400 that names the limit.
     */
    public String render() {
        String text = build().render();
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes >= arch.commandLineSize()) {
            throw new InvalidInputException("the kernel command line for " + platform.talosName() + "-" + arch
                    + " would be " + bytes + " bytes; the " + arch + " kernel takes at most "
                    + (arch.commandLineSize() - 1) + " (COMMAND_LINE_SIZE " + arch.commandLineSize()
                    + "): shorten customization.extraKernelArgs");
        }
        return text;
    }

    /** Talos' default args for a version (§3.4), in order. */
    public static List<String> defaultArgs(Quirks q) {
        List<String> args = new ArrayList<>();
        if (!q.dropInitOnAllocInArgs()) {
            args.add("init_on_alloc=1");
        }
        args.add("slab_nomerge=");
        args.add("pti=on"); // on arm64 too, as upstream
        args.add("consoleblank=0");
        if (!q.nvmeCoreIoTimeoutAwsOnly()) {
            args.add("nvme_core.io_timeout=4294967295");
        }
        args.add("printk.devkmsg=on");
        if (q.supportsIma()) {
            args.addAll(List.of("ima_template=ima-ng", "ima_appraise=fix", "ima_hash=sha512"));
        }
        if (q.supportsSelinux()) {
            args.add("selinux=1");
        }
        if (q.supportsDisablingModuleSignatureVerification()) {
            args.add("module.sig_enforce=1");
        }
        if (q.procMemOverrideNever()) {
            args.add("proc_mem.force_override=never");
        }
        return List.copyOf(args);
    }

    /** Args SecureBoot adds (HEAD behaviour: {@code lockdown=confidentiality} only below 1.14, see Quirks). */
    public static List<String> secureBootArgs(Quirks q) {
        return q.forcesLockdownConfidentiality() ? List.of("lockdown=confidentiality") : List.of();
    }
}
