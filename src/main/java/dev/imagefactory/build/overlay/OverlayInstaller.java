package dev.imagefactory.build.overlay;

import dev.imagefactory.build.installer.OverlayLayer;
import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.content.FileTrees;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.model.Arch;
import dev.imagefactory.schematic.goyaml.GoEncoder;
import dev.imagefactory.schematic.goyaml.GoType;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import dev.imagefactory.tools.ToolException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Runs an overlay's installer ({@code installers/<name>} of a flattened overlay image, talos-imager.md §1.7) through
 * the overlay installer protocol (§1.8): {@code get-options} and {@code install}, YAML on stdin.
 *
 * <p>The installer is third-party code. It runs through {@link ProcessRunner} (argument array, the runner's timeout,
 * process tree killed on timeout) under {@code env -i} with only {@code PATH=/usr/sbin:/usr/bin:/sbin:/bin},
 * {@code LC_ALL=C} and {@code HOME}/{@code TMPDIR} pointing at a scratch directory of its own, which is also its
 * working directory and is removed afterwards whatever happens. {@code env -i} because ProcessRunner always passes
 * the service's own environment on (credentials included); this keeps the shared runner unchanged. Every failure —
 * a missing installer, a non-zero exit, a timeout, an answer that is not the protocol's — is the client's overlay
 * choice failing: {@link InvalidInputException} (400) naming the overlay, with the last line of the installer's
 * stderr.
 *
 * <p>Where the executable comes from: only from an {@link OverlayImage} the catalog flattened for an overlay the
 * version's {@code overlays.yaml} lists ({@code ReleaseSource.overlayImage}), and the catalog guarantees it is the
 * image that file pins: the registry source pulls the overlay by that digest and verifies every manifest and blob
 * below it; the directory source uses only the index.json entry with that digest (blobs verified as they are read).
 * Nothing is sandboxed beyond the environment and the working directory: the installer runs as the service's user.
 * The release cache must allow executing files (no {@code noexec} mount), or every overlay fails with exit code 126.
 */
public final class OverlayInstaller {

    /** What {@code get-options} answered; {@code partitionOffsetLbas} 0 when the installer gave none. */
    public record Options(String name, List<String> kernelArgs, long partitionOffsetLbas) {
        public Options {
            Objects.requireNonNull(name, "name");
            kernelArgs = List.copyOf(kernelArgs);
        }
    }

    /** The environment the installer sees, besides HOME and TMPDIR. */
    static final String PATH = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    /** More than any board needs (Talos' overlays reserve a few MiB) and far below any GPT's LBA range. */
    static final long MAX_PARTITION_OFFSET = 1L << 32;

    /** Talos' overlay.InstallOptions: field order and omitempty as go-yaml marshals the struct. */
    private static final GoType INSTALL_OPTIONS = new GoType.Struct("overlay.InstallOptions", List.of(
            new GoType.Field("installDisk", new GoType.Str(), false),
            new GoType.Field("mountPrefix", new GoType.Str(), false),
            new GoType.Field("artifactsPath", new GoType.Str(), false),
            new GoType.Field("extraOptions", new GoType.StringAnyMap(), true)));

    private final ProcessRunner runner;
    private final OverlayImage image;
    private final Path scratchParent;

    /**
     * @param image         the overlay image flattened for the build host's architecture (its installer runs here)
     * @param scratchParent where the installer's scratch directory is made (the build's work directory)
     */
    public OverlayInstaller(ProcessRunner runner, OverlayImage image, Path scratchParent) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.image = Objects.requireNonNull(image, "image");
        this.scratchParent = Objects.requireNonNull(scratchParent, "scratchParent");
    }

    /**
     * The architecture this JVM runs on: the overlay image whose installer runs here (and whose artifacts go into a
     * disk image) is pulled for it, talos-imager.md §1.7.
     */
    public static Arch hostArch() {
        String arch = System.getProperty("os.arch", "");
        return switch (arch) {
            case "amd64", "x86_64" -> Arch.AMD64;
            case "aarch64", "arm64" -> Arch.ARM64;
            default -> throw new IllegalStateException("overlay installers cannot run on a " + arch + " build host");
        };
    }

    /**
     * Where {@code install} leaves the boot firmware: {@code <mountPrefix>/boot/EFI}, whose contents become the root of
     * the EFI partition (talos-imager.md §6.3, "overlay files land in the ESP root").
     */
    public static Path efiOutput(Path mountPrefix) {
        return mountPrefix.resolve("boot").resolve("EFI");
    }

    /** {@code get-options} with the schematic's overlay options, marshalled as go-yaml does ({@code {}} for none). */
    public Options getOptions(Map<Object, Object> options) {
        return getOptions(OverlayLayer.extraOptions(options));
    }

    /** {@code get-options}: stdin is the overlay options YAML ({@code {}} for none), the answer is parsed strictly. */
    public Options getOptions(byte[] optionsYaml) {
        String stdout = run("get-options", optionsYaml);
        try {
            return parseOptions(stdout);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(what() + " get-options gave an answer that is not the overlay protocol's: "
                    + e.getMessage());
        }
    }

    /**
     * {@code install}: stdin is {@code installDisk}, {@code mountPrefix}, {@code artifactsPath} and the options as
     * {@code extraOptions} (left out when empty), as go-yaml marshals Talos' InstallOptions. The installer writes
     * under {@code mountPrefix} (boot firmware in {@code boot/EFI/}) and may write into {@code installDisk}.
     */
    public void install(Path installDisk, Path mountPrefix, Path artifactsPath, Map<Object, Object> options) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("installDisk", installDisk.toString());
        fields.put("mountPrefix", mountPrefix.toString());
        fields.put("artifactsPath", artifactsPath.toString());
        fields.put("extraOptions", options == null ? Map.of() : options);
        run("install", GoEncoder.marshal(fields, INSTALL_OPTIONS));
    }

    private String run(String verb, byte[] stdin) {
        Path installer = image.installer();
        if (!Files.isRegularFile(installer, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException(what() + " cannot run: its image has no installers/"
                    + installer.getFileName());
        }
        if (installer.toString().contains("=")) {   // env would take it for a variable
            throw new InvalidInputException(what() + " cannot run: its installer path contains '='");
        }
        Path scratch;
        try {
            scratch = Files.createTempDirectory(Files.createDirectories(scratchParent), "overlay-installer-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a scratch directory for " + what() + " in " + scratchParent, e);
        }
        RuntimeException failure = null;
        try {
            Path in = Files.write(scratch.resolve(".stdin"), stdin);
            List<String> args = List.of("env", "-i", PATH, "LC_ALL=C", "HOME=" + scratch, "TMPDIR=" + scratch,
                    installer.toString(), verb);
            return runner.run(Command.of(args).in(scratch).stdinFrom(in)).stdout();
        } catch (ToolException e) {
            failure = new InvalidInputException(what() + " " + verb + " " + failure(e.getMessage()), e);
            throw failure;
        } catch (IOException e) {
            failure = new UncheckedIOException("cannot write the stdin of " + what(), e);
            throw failure;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            removeScratch(scratch, failure);
        }
    }

    /** Removes the scratch tree; a failure to do so is reported, but never hides the installer's own failure. */
    private static void removeScratch(Path scratch, RuntimeException pending) {
        try {
            FileTrees.deleteRecursively(scratch);
        } catch (IOException e) {
            if (pending != null) {
                pending.addSuppressed(e);
            } else {
                throw new UncheckedIOException("cannot remove the overlay installer scratch " + scratch, e);
            }
        }
    }

    private String what() {
        return "overlay installer \"" + (image.name().isEmpty() ? OverlayImage.DEFAULT_INSTALLER : image.name()) + "\"";
    }

    /**
     * "failed with exit code 3: last stderr line" from a runner failure: ProcessRunner's message is
     * {@code "<tool> <what happened>: <stderr>"} (the tool being {@code env} here), and of the installer's stderr only
     * its last non-blank line is kept, which is where programs put the reason.
     */
    static String failure(String message) {
        String text = message == null ? "" : message.strip();
        text = text.endsWith(":") ? text.substring(0, text.length() - 1) : text;   // empty stderr, stripped
        int colon = text.indexOf(": ");
        String happened = colon < 0 ? text : text.substring(0, colon);
        happened = happened.startsWith("env ") ? happened.substring("env ".length()) : happened;
        List<String> stderr = colon < 0 ? List.of()
                : text.substring(colon + 2).lines().filter(l -> !l.isBlank()).toList();
        return (happened.isEmpty() ? "failed" : happened)
                + (stderr.isEmpty() ? "" : ": " + stderr.get(stderr.size() - 1).strip());
    }

    private static final Set<String> OPTION_KEYS = Set.of("name", "kernelArgs", "partitionOptions");

    /**
     * Parses the {@code get-options} answer: a mapping with a string {@code name}, an optional list of strings
     * {@code kernelArgs} and an optional {@code partitionOptions} mapping with a non-negative integer {@code offset}.
     * Unknown keys, duplicate keys and other types are refused: what we do not understand must not shape a disk.
     */
    static Options parseOptions(String yaml) {
        LoaderOptions loader = new LoaderOptions();
        loader.setAllowDuplicateKeys(false);
        loader.setMaxAliasesForCollections(0);
        loader.setCodePointLimit(1 << 20);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(loader)).load(yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("not YAML (" + firstLine(e.getMessage()) + ")");
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("expected a mapping with name, kernelArgs and partitionOptions");
        }
        for (Object key : map.keySet()) {
            if (!OPTION_KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key \"" + key + "\"");
            }
        }
        if (!(map.get("name") instanceof String name)) {
            throw new IllegalArgumentException("name must be a string");
        }
        List<String> kernelArgs = new ArrayList<>();
        Object args = map.get("kernelArgs");
        if (args != null) {
            if (!(args instanceof List<?> list)) {
                throw new IllegalArgumentException("kernelArgs must be a list of strings");
            }
            for (Object arg : list) {
                if (!(arg instanceof String s)) {
                    throw new IllegalArgumentException("kernelArgs must be a list of strings, not " + arg);
                }
                kernelArgs.add(s);
            }
        }
        long offset = 0;
        Object partition = map.get("partitionOptions");
        if (partition != null) {
            if (!(partition instanceof Map<?, ?> p) || !Set.of("offset").containsAll(p.keySet())) {
                throw new IllegalArgumentException("partitionOptions must be a mapping with only an offset");
            }
            Object value = p.get("offset");
            if (value != null) {
                BigInteger lbas = value instanceof Integer || value instanceof Long ? BigInteger.valueOf(((Number) value)
                        .longValue()) : value instanceof BigInteger b ? b : null;
                if (lbas == null || lbas.signum() < 0 || lbas.compareTo(BigInteger.valueOf(MAX_PARTITION_OFFSET)) > 0) {
                    throw new IllegalArgumentException("partitionOptions.offset must be an integer from 0 to "
                            + MAX_PARTITION_OFFSET + " (LBAs), not " + value);
                }
                offset = lbas.longValue();
            }
        }
        return new Options(name, kernelArgs, offset);
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.strip().lines().findFirst().orElse("");
    }
}
