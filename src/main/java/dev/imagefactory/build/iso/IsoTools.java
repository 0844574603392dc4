package dev.imagefactory.build.iso;

import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import dev.imagefactory.tools.ToolException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the ISO tools (grub-mkrescue, xorrisofs, mkfs.vfat, mtools) through {@link ProcessRunner}: argument arrays,
 * {@code SOURCE_DATE_EPOCH} and {@code GRUB_FAT_SERIAL_NUMBER} in the environment.
 *
 * <p><b>grub-mkrescue and the FAT serial number.</b> grub-mkrescue formats the EFI image it embeds ({@code efi.img})
 * with {@code mformat}, which without {@code -N} takes a serial number seeded from the wall clock: the only bytes
 * that differ between two GRUB ISOs built from the same inputs. Talos' GRUB reads {@code GRUB_FAT_SERIAL_NUMBER} for
 * this; Debian 12's GRUB 2.06 does not. So each grub-mkrescue run finds, first on its {@code PATH}, a two-line
 * {@code mformat} written into its work directory that runs the real mformat with {@code -N $GRUB_FAT_SERIAL_NUMBER}
 * (a GRUB that passes {@code -N} itself gives the same value twice, which mformat accepts). grub-mkrescue's
 * temporary directory ({@code TMPDIR}) is in the work directory too, so a killed build leaves nothing behind. The
 * wrapper is executed from the work directory, so the data directory must not be mounted {@code noexec}.
 */
public final class IsoTools {

    /** Where grub-mkrescue finds the platforms ({@code i386-pc}, {@code x86_64-efi}, ...): Debian's and Talos' path. */
    public static final Path GRUB_LIB = Path.of("/usr/lib/grub");

    private static final String MFORMAT_SHIM = """
            #!/bin/sh
            # Image Factory: pin the FAT serial number grub-mkrescue's mformat would take from the clock.
            exec "$IMAGE_FACTORY_MFORMAT" -N "$GRUB_FAT_SERIAL_NUMBER" "$@"
            """;

    private final ProcessRunner runner;

    public IsoTools(ProcessRunner runner) {
        this.runner = runner;
    }

    ProcessRunner runner() {
        return runner;
    }

    /** Runs a tool with the ISO trailer's environment. */
    void run(List<String> args) {
        runner.run(Command.of(args).withEnv(IsoTrailer.environment()));
    }

    /**
     * Runs an ISO writer told to write the image to stdout ({@code -o -}) and takes the image into {@code output},
     * hashed and flushed while the tool writes it (xorriso writes an image front to back, so a pipe does).
     */
    void runInto(List<String> args, Path output) throws IOException {
        runner.runInto(Command.of(args).withEnv(IsoTrailer.environment()), output);
    }

    /**
     * Runs grub-mkrescue with {@code args} (which say {@code --output=-}), its temporary files and the mformat wrapper
     * below {@code work}; the image goes into {@code output}, hashed as grub-mkrescue's xorriso writes it.
     */
    void grubMkrescueInto(List<String> args, Path work, Path output) throws IOException {
        runner.runInto(grubMkrescueCommand(args, work), output);
    }

    private Command grubMkrescueCommand(List<String> args, Path work) throws IOException {
        Path tmp = Files.createDirectories(work.resolve("grub-tmp"));
        Path bin = Files.createDirectories(work.resolve("grub-bin"));
        Path shim = bin.resolve("mformat");
        Files.writeString(shim, MFORMAT_SHIM, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        Map<String, String> env = new HashMap<>(IsoTrailer.environment());
        env.put("IMAGE_FACTORY_MFORMAT", onPath("mformat", path).toString());
        env.put("PATH", bin + File.pathSeparator + path);
        env.put("TMPDIR", tmp.toString());
        List<String> command = new ArrayList<>();
        command.add("grub-mkrescue");
        command.addAll(args);
        return Command.of(command).withEnv(env);
    }

    private static Path onPath(String tool, String path) {
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool);
            }
        }
        throw new ToolException(tool + " is not on the PATH (Debian: apt-get install mtools)");
    }
}
