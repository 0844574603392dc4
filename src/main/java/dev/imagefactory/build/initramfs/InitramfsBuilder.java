package dev.imagefactory.build.initramfs;

import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.tools.ProcessRunner.Command;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.content.HashedFileWriter;
import dev.imagefactory.content.Reproducible;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a release's initramfs with system extensions, laid out as Talos' imager does (talos-imager.md §2):
 * <pre>
 * [plain newc cpio: kernel/x86/microcode/*.bin]   only when an extension carries CPU microcode
 * [the base initramfs, unchanged: init, rootfs.sqsh]
 * [zstd/xz newc cpio: N.sqsh..., modules.dep.sqsh, extensions.yaml, (usr/)lib/firmware/...]
 * </pre>
 * Each extension's squashfs is built beforehand (a plan of its own, so schematics sharing an extension share it)
 * and handed in with the extension, whose rootfs still gives the firmware and the kernel modules. Everything the
 * cpio records besides content (mtimes, modes, owners) is pinned, so the same inputs give the same bytes.
 */
public final class InitramfsBuilder {

    private static final String MICROCODE_DIR = "kernel/x86/microcode";

    private final ProcessRunner runner;
    private final Squashfs squashfs;

    /** An extension with its squashfs (its rootfs minus the firmware, built by the squashfs step). */
    public record PackedExtension(ExtensionSource source, Path squashfs) {
    }

    public InitramfsBuilder(ProcessRunner runner, Squashfs squashfs) {
        this.runner = runner;
        this.squashfs = squashfs;
    }

    /**
     * @param extensions in factory order: official extensions as the schematic lists them, then {@code schematic},
     *     then {@code embedded-config}
     * @return the initramfs, inside {@code workDir}
     */
    public Path build(TalosVersion version, Quirks quirks, Path baseInitramfs, List<PackedExtension> extensions,
            Path workDir) throws IOException {
        return build(version, quirks, baseInitramfs, extensions, workDir, List.of());
    }

    /**
     * {@link #build}, also taking the initramfs' digests with {@code alsoDigests} (JCA names) while the compressor
     * writes it ({@link HashedFileWriter#alsoTaking}): a SecureBoot UKI's PCR signature then need not hash it.
     */
    public Path build(TalosVersion version, Quirks quirks, Path baseInitramfs, List<PackedExtension> extensions,
            Path workDir, List<String> alsoDigests) throws IOException {
        checkCompatibility(version, extensions);
        Path contents = Files.createDirectories(workDir.resolve("contents"));
        Path scratch = Files.createDirectories(workDir.resolve("scratch"));

        List<Layer> layers = inLayerOrder(extensions);
        List<Path> withModules = new ArrayList<>();
        for (Layer layer : layers) {
            if (Files.isDirectory(layer.source.rootfs().resolve(relative(quirks.kernelModulesPath())))) {
                withModules.add(layer.source.rootfs());
            }
        }

        List<ExtensionsYaml.Layer> entries = new ArrayList<>();
        for (Layer layer : layers) {
            ExtensionSource source = layer.source;
            moveFirmwareOut(source.rootfs(), quirks, contents);
            // copied, not hard-linked: GNU cpio moves entries with several links to the end of the archive
            Files.copy(layer.squashfs, contents.resolve(layer.dirName + ".sqsh"));
            entries.add(new ExtensionsYaml.Layer(layer.dirName + ".sqsh", source.metadata()));
        }
        if (!withModules.isEmpty()) {
            Path stagingRoot = Files.createDirectories(scratch.resolve("modules.dep-rootfs"));
            String kver = new KernelModulesLayer(runner).build(baseInitramfs, quirks, withModules,
                    Files.createDirectories(scratch.resolve("modules")), stagingRoot);
            Reproducible.normalize(stagingRoot);
            squashfs.create(stagingRoot, contents.resolve("modules.dep.sqsh"), SquashfsCompression.of(quirks),
                    Map.of(), List.of());
            entries.add(new ExtensionsYaml.Layer("modules.dep.sqsh", new ExtensionMetadata("modules.dep", kver,
                    "Talos Machinery", "Combined modules.dep for all extensions", "", "")));
        }
        Files.write(contents.resolve("extensions.yaml"), ExtensionsYaml.encode(entries));
        Reproducible.normalize(contents);

        List<String> all = Trees.walkOrder(contents);
        List<String> uncompressed = all.stream().filter(p -> p.equals("kernel") || p.startsWith("kernel/")).toList();
        List<String> compressed = all.stream().filter(p -> !uncompressed.contains(p)).toList();

        Path output = workDir.resolve("initramfs.xz");
        Path early = uncompressed.isEmpty() ? null
                : newc(contents, uncompressed, scratch.resolve("early.cpio"), scratch);
        Path cpio = newc(contents, compressed, scratch.resolve("extensions.cpio"), scratch);
        Compression compression = quirks.useZstdCompression() ? Compression.ZSTD : Compression.XZ;
        // hashed as it is written: the compressor's output is taken in while it compresses
        try (HashedFileWriter out = HashedFileWriter.create(output)) {
            out.alsoTaking(alsoDigests);
            // the compressor starts while the uncompressed parts go in; its output waits for them
            out.appendFirst(early != null ? List.of(early, baseInitramfs) : List.of(baseInitramfs));
            runner.run(Command.of(compression.compressArgs()).stdinFrom(cpio).stdoutInto(out));
            out.finish();
        }
        return output;
    }

    private record Layer(String dirName, ExtensionSource source, Path squashfs) {
    }

    /**
     * Upstream extracts extension j into a directory named j and then lists the directories sorted as strings, so
     * with 11 or more extensions the order is 0, 1, 10, 2, ... (talos-imager.md §2.2 step 3). We keep that order.
     */
    static List<Layer> inLayerOrder(List<PackedExtension> extensions) {
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < extensions.size(); i++) {
            PackedExtension extension = extensions.get(i);
            layers.add(new Layer(Integer.toString(i), extension.source(), extension.squashfs()));
        }
        layers.sort(Comparator.comparing(Layer::dirName));
        return layers;
    }

    private static void checkCompatibility(TalosVersion version, List<PackedExtension> extensions) {
        for (PackedExtension extension : extensions) {
            ExtensionMetadata m = extension.source().metadata();
            VersionConstraint constraint = VersionConstraint.parse(m.talosVersion())
                    .orElseThrow(() -> new dev.imagefactory.catalog.ReleaseDataException("extension " + m.name()
                            + " has an invalid Talos version constraint \"" + m.talosVersion() + "\""));
            if (!constraint.allows(version)) {
                throw new InvalidInputException("extension " + m.name() + " " + m.version()
                        + " is not compatible with Talos " + version + " (it requires " + m.talosVersion() + ")");
            }
        }
    }

    /**
     * CPU microcode goes to the early cpio (concatenated per vendor, in name order), the rest of the firmware tree
     * into the initramfs (talos-imager.md §2.3 steps 1-2); the source tree is left untouched.
     */
    private static void moveFirmwareOut(Path rootfs, Quirks quirks, Path contents) throws IOException {
        Path firmware = rootfs.resolve(relative(quirks.firmwarePath()));
        if (!Files.isDirectory(firmware)) {
            return;
        }
        List<Path> intel = glob(firmware.resolve("intel-ucode"), "*");
        List<Path> amd = glob(firmware.resolve("amd-ucode"), "microcode_amd*.bin");
        appendAll(intel, contents.resolve(MICROCODE_DIR).resolve("GenuineIntel.bin"));
        appendAll(amd, contents.resolve(MICROCODE_DIR).resolve("AuthenticAMD.bin"));
        Path target = Files.createDirectories(contents.resolve(relative(quirks.firmwarePath())));
        List<Path> skip = new ArrayList<>(intel);
        skip.addAll(amd);
        copyTreeExcept(firmware, target, skip);
    }

    private static List<Path> glob(Path dir, String pattern) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> matches = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, pattern)) {
            stream.forEach(matches::add);
        }
        matches.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return matches;
    }

    private static void appendAll(List<Path> sources, Path target) throws IOException {
        if (sources.isEmpty()) {
            return;
        }
        Files.createDirectories(target.getParent());
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (Path source : sources) {
                if (Files.isRegularFile(source)) {
                    Files.copy(source, out);
                }
            }
        }
    }

    private static void copyTreeExcept(Path source, Path target, List<Path> skip) throws IOException {
        for (String rel : Trees.walkOrder(source)) {
            Path from = source.resolve(rel);
            Path to = target.resolve(rel);
            if (skip.contains(from)) {
                continue;
            }
            if (Files.isDirectory(from)) {
                Files.createDirectories(to);
            } else {
                Files.deleteIfExists(to);
                Files.copy(from, to, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    /** Runs GNU cpio as the imager does: newc, reproducible inode numbers, every entry owned by root. */
    private Path newc(Path root, List<String> paths, Path output, Path scratch) throws IOException {
        Path list = Files.createTempFile(scratch, "cpio-list", ".txt");
        Files.write(list, paths);
        runner.run(Command.of("cpio", "-H", "newc", "--create", "--reproducible", "--quiet", "-R", "+0:+0")
                .in(root).stdinFrom(list).stdoutTo(output));
        return output;
    }

    private static String relative(String absolute) {
        return absolute.substring(1);
    }
}
