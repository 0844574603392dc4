package dev.imagefactory.build.disk;

import dev.imagefactory.content.AtomicFiles;
import dev.imagefactory.model.DiskFormat;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps a finished raw disk image in its download format (talos-imager.md §6.6). {@code qemu-img} streams the
 * conversion and keeps holes; the JVM only patches the few header bytes qemu-img fills from the clock or at random
 * (the VHD footer's time and id, the VMDK's content id), so the same raw image always gives the same bytes.
 *
 * <ul>
 *   <li>raw: a sparse copy;
 *   <li>qcow2: {@code qemu-img convert -f raw -O qcow2 -o <options>} (the factory's default is
 *       {@code cluster_size=8k});
 *   <li>vhd: {@code -O vpc -o <options>} (azure: {@code subformat=fixed,force_size}, otherwise none: a dynamic VHD
 *       whose size qemu-img rounds up to a CHS geometry);
 *   <li>ova: see {@link OvaPackage}.
 * </ul>
 */
public final class DiskFormats {

    private DiskFormats() {
    }

    /**
     * Writes {@code raw} as {@code format} to {@code out}, published by atomic rename (nothing is left behind on
     * failure). {@code options} are qemu-img's {@code -o} options for qcow2 and vhd (null or blank: none); raw and ova
     * take none. {@code work} is a scratch directory (the OVA's members are made there and removed).
     */
    public static void convert(ProcessRunner runner, Path raw, DiskFormat format, String options, Path out, Path work)
            throws IOException {
        if (!Files.isRegularFile(raw)) {
            throw new IOException("no raw disk image at " + raw);
        }
        String qemuOptions = options == null ? "" : options.strip();
        switch (format) {
            case RAW -> {
                refuseOptions(format, qemuOptions);
                AtomicFiles.writeWorkFile(out, tmp -> SparseCopy.copy(runner, raw, tmp));
            }
            case QCOW2 -> AtomicFiles.writeWorkFile(out, tmp -> qemuImgConvert(runner, raw, format, qemuOptions, tmp));
            case VHD -> AtomicFiles.writeWorkFile(out, tmp -> {
                qemuImgConvert(runner, raw, format, qemuOptions, tmp);
                VhdFooter.pin(tmp);
            });
            case OVA -> {
                refuseOptions(format, qemuOptions);
                OvaPackage.build(runner, raw, out, work);
            }
        }
    }

    /**
     * The raw image as the disk plans keep it between stages: a qcow2 (64 KiB clusters, no compression) holding only
     * the clusters that have data, a few MiB for an image of several GiB that is mostly holes. The cache hashes what
     * it stores, and hashing the holes of a raw image as zeroes cost seconds per GiB; qemu-img gives the exact raw
     * bytes back ({@link #expand}).
     */
    public static void compact(ProcessRunner runner, Path raw, Path out) throws IOException {
        AtomicFiles.writeWorkFile(out, tmp -> runner.run(Command.of("qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2",
                "-o", "cluster_size=65536", raw.toAbsolutePath().toString(), tmp.toAbsolutePath().toString())));
    }

    /** The raw image of a {@link #compact} one, sparse (qemu-img leaves holes where the image has zeroes). */
    public static void expand(ProcessRunner runner, Path compact, Path raw) throws IOException {
        AtomicFiles.writeWorkFile(raw, tmp -> runner.run(Command.of("qemu-img", "convert", "-q", "-f", "qcow2", "-O", "raw",
                compact.toAbsolutePath().toString(), tmp.toAbsolutePath().toString())));
    }

    private static void qemuImgConvert(ProcessRunner runner, Path raw, DiskFormat format, String options, Path to) {
        List<String> args = new ArrayList<>(List.of("qemu-img", "convert", "-q", "-f", "raw", "-O",
                format.qemuImgFormat()));
        if (!options.isEmpty()) {
            args.add("-o");
            args.add(options);
        }
        // absolute paths: qemu-img reads "<protocol>:" before the first slash of a relative name as a protocol
        args.add(raw.toAbsolutePath().toString());
        args.add(to.toAbsolutePath().toString());
        runner.run(Command.of(args));
    }

    private static void refuseOptions(DiskFormat format, String options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("the " + format + " format takes no options, got '" + options + "'");
        }
    }
}
