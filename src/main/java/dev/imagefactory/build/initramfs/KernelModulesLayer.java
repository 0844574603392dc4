package dev.imagefactory.build.initramfs;

import dev.imagefactory.model.Quirks;
import dev.imagefactory.catalog.ReleaseDataException;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;

/**
 * The synthetic {@code modules.dep} extension (talos-imager.md §2.4): the base rootfs's module tree plus every
 * extension's modules, run through depmod, keeping only the {@code modules.*} index files. As the last layer it
 * shadows the base rootfs's index, so modprobe at boot finds the extensions' modules.
 */
final class KernelModulesLayer {

    /** What Talos' imager image ships as /etc/modules.d/10-extra-modules.conf: extension modules live in extras/. */
    private static final String DEPMOD_CONFIG = "search extras built-in\n";

    private final ProcessRunner runner;

    KernelModulesLayer(ProcessRunner runner) {
        this.runner = runner;
    }

    /**
     * Builds the layer's rootfs in {@code stagingRoot} and returns the kernel version it was built for.
     *
     * @param scratch an empty directory for the base rootfs and the module tree
     */
    String build(Path baseInitramfs, Quirks quirks, List<Path> extensionRootfs, Path scratch, Path stagingRoot)
            throws IOException {
        String modulesPath = quirks.kernelModulesPath();
        Path rootfsSqsh = extractRootfsSqsh(baseInitramfs, scratch);
        Path tree = scratch.resolve("modules");
        runner.run(Command.of("unsquashfs", "-no-xattrs", "-d", tree.toString(), "-f", "-n", rootfsSqsh.toString(),
                modulesPath));
        Files.delete(rootfsSqsh);
        Path modulesDir = tree.resolve(modulesPath.substring(1));
        String kver = onlyKernelVersion(modulesDir);
        Path kernelDir = modulesDir.resolve(kver);
        for (Path rootfs : extensionRootfs) {
            Path source = rootfs.resolve(modulesPath.substring(1)).resolve(kver);
            if (!Files.isDirectory(source)) {
                throw new ReleaseDataException("extension " + rootfs.getParent().getFileName() + " has kernel modules"
                        + " but not for kernel " + kver);
            }
            Trees.copyInto(source, kernelDir);
        }
        Path config = Files.writeString(scratch.resolve("extra-modules.conf"), DEPMOD_CONFIG);
        Path baseDir = tree.resolve(modulesPath.substring(1).replaceFirst("/?lib/modules$", ""));
        runner.run(Command.of("depmod", "--all", "--basedir", baseDir.toString(), "--config", config.toString(), kver));
        Path staged = Files.createDirectories(stagingRoot.resolve(modulesPath.substring(1)).resolve(kver));
        try (Stream<Path> files = Files.list(kernelDir)) {
            for (Path file : files.filter(f -> !Files.isDirectory(f))
                    .filter(f -> f.getFileName().toString().startsWith("modules.")).sorted().toList()) {
                Files.move(file, staged.resolve(file.getFileName()));
            }
        }
        return kver;
    }

    private static String onlyKernelVersion(Path modulesDir) throws IOException {
        if (!Files.isDirectory(modulesDir)) {
            throw new ReleaseDataException("the base rootfs.sqsh has no " + modulesDir.getFileName() + " directory");
        }
        try (Stream<Path> entries = Files.list(modulesDir)) {
            List<Path> dirs = entries.filter(Files::isDirectory).toList();
            if (dirs.size() != 1) {
                throw new ReleaseDataException("the base rootfs.sqsh must hold exactly one kernel module directory, found "
                        + dirs.size());
            }
            return dirs.get(0).getFileName().toString();
        }
    }

    /** Decompresses the base initramfs (xz or zstd by magic) and copies out the {@code rootfs.sqsh} entry. */
    private Path extractRootfsSqsh(Path baseInitramfs, Path scratch) throws IOException {
        Path cpio = scratch.resolve("base.cpio");
        runner.run(Command.of(Compression.detect(baseInitramfs).decompressArgs()).stdinFrom(baseInitramfs).stdoutTo(cpio));
        Path out = scratch.resolve("rootfs.sqsh");
        try (InputStream in = Files.newInputStream(cpio);
                CpioArchiveInputStream archive = new CpioArchiveInputStream(in)) {
            CpioArchiveEntry entry;
            while ((entry = archive.getNextEntry()) != null) {
                String name = entry.getName().replaceFirst("^\\./", "");
                if (name.equals("rootfs.sqsh") && entry.isRegularFile()) {
                    Files.copy(archive, out, StandardCopyOption.REPLACE_EXISTING);
                    break;
                }
            }
        } finally {
            Files.delete(cpio);
        }
        if (!Files.exists(out)) {
            throw new ReleaseDataException("the base initramfs has no rootfs.sqsh");
        }
        return out;
    }
}
