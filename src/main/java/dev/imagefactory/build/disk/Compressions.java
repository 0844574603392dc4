package dev.imagefactory.build.disk;

import dev.imagefactory.content.AtomicFiles;
import dev.imagefactory.content.Reproducible;
import dev.imagefactory.model.OutputCompression;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Compresses a finished disk image for download (talos-imager.md §6.6): the tools stream the file on every core, the
 * JVM never reads it. Each output is reproducible and does not depend on the machine's core count: xz and zstd in
 * their multi-threaded modes split the input into blocks by size, not by thread count (xz {@code -T0} stays
 * multi-threaded on one core; zstd {@code -T0} with one worker gives the same frames as with many), and pigz gives
 * the same stream for any {@code -p}.
 *
 * <p>Where we differ from the imager: gzip streams carry neither a file name nor a time ({@code pigz -n}). The
 * imager's {@code pigz --no-time <file>} stores the image's file name, which here would be a cache-internal name,
 * so the bytes would depend on where the cache keeps the image.
 */
public final class Compressions {

    /** The name of the image inside a {@code .tar.gz}, whatever the input file is called (GCP expects it). */
    public static final String TAR_MEMBER = "disk.raw";

    private static final Map<String, String> NO_OPTIONS_FROM_ENVIRONMENT = Map.of("XZ_DEFAULTS", "", "XZ_OPT", "",
            "PIGZ", "", "TAR_OPTIONS", "");

    private Compressions() {
    }

    /**
     * Writes {@code in} compressed as {@code compression} to {@code out} (published by atomic rename; nothing is
     * left behind on failure). {@link OutputCompression#NONE} copies the image, keeping it sparse. {@code work} is
     * a scratch directory (the intermediate tar of a {@code .tar.gz}, small because it is sparse, is made there).
     */
    public static void compress(ProcessRunner runner, Path in, OutputCompression compression, Path out, Path work)
            throws IOException {
        compress(runner, in, compression, out, work, (done, total) -> { });
    }

    /** How far a compression is: {@code done} of {@code total} bytes of its input read. */
    @FunctionalInterface
    public interface Advance {
        void read(long done, long total);
    }

    /** As {@link #compress(ProcessRunner, Path, OutputCompression, Path, Path)}, telling {@code advance} as it reads. */
    public static void compress(ProcessRunner runner, Path in, OutputCompression compression, Path out, Path work,
            Advance advance) throws IOException {
        if (!Files.isRegularFile(in)) {
            throw new IOException("no disk image to compress at " + in);
        }
        switch (compression) {
            case NONE -> AtomicFiles.writeWorkFile(out, tmp -> SparseCopy.copy(runner, in, tmp));
            case XZ -> AtomicFiles.writeWorkFile(out, tmp -> runner.runInto(watched(
                    tool("xz", "-0", "-T0", "--check=crc64", "-c", "--", in.toString()), in, advance), tmp));
            case ZSTD -> AtomicFiles.writeWorkFile(out, tmp -> runner.runInto(watched(
                    tool("zstd", "-T0", "-18", "-q", "-c", "--", in.toString()), in, advance), tmp));
            case GZ -> AtomicFiles.writeWorkFile(out, tmp -> runner.runInto(watched(pigz(in), in, advance), tmp));
            case TAR_GZ -> tarGz(runner, in, out, work, advance);
        }
    }

    /** The compressor's reads of {@code in} (a file's whole apparent size, holes included) go to {@code advance}. */
    private static Command watched(Command command, Path in, Advance advance) throws IOException {
        long total = Files.size(in);
        return command.reportingReadsOf(in, done -> advance.read(done, total));
    }

    /** {@code tar --sparse} of the image as {@value #TAR_MEMBER} into {@code work}, then pigz of that tar. */
    private static void tarGz(ProcessRunner runner, Path in, Path out, Path work, Advance advance)
            throws IOException {
        Files.createDirectories(work);
        Path tar = Files.createTempFile(work, "disk-raw-", ".tar");
        try {
            Path absolute = in.toAbsolutePath();
            runner.run(tool("tar", "--create", "--file=" + tar, "--format=gnu", "--sparse", "--sort=name",
                    "--owner=0", "--group=0", "--numeric-owner", "--mode=0644", "--dereference",
                    "--mtime=@" + Reproducible.SOURCE_DATE_EPOCH,
                    // the member is named by the transform, not by a link: a link into work may cross file systems;
                    // --dereference: an image handed over as a symbolic link is archived as the file it names
                    "--transform=s,.*," + TAR_MEMBER + ",",
                    "--directory=" + absolute.getParent(), "--", absolute.getFileName().toString()));
            AtomicFiles.writeWorkFile(out, tmp -> runner.runInto(watched(pigz(tar), tar, advance), tmp));
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    /**
     * gzip of {@code in} to stdout by pigz on every core, level 6, without name or time in the header (the stream is
     * the same for any number of threads); also the installer's layers.
     */
    public static Command pigz(Path in) {
        return tool("pigz", "-6", "-n", "-c", "--", in.toString());
    }

    /** The tools also read options from the environment; empty ones keep the output what the arguments say. */
    static Command tool(String... args) {
        return Command.of(args).withEnv(NO_OPTIONS_FROM_ENVIRONMENT);
    }
}
