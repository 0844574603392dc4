package dev.imagefactory.build.disk;

import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.nio.file.Path;

/**
 * Copies a disk image keeping its holes ({@code cp --sparse=always}, a reflink where the file system has them): the
 * JDK's {@code Files.copy} does not promise to keep a file sparse, and a disk image of GiBs is mostly holes.
 */
final class SparseCopy {

    private SparseCopy() {
    }

    /** Copies {@code from} over the (existing or new) file {@code to}. */
    static void copy(ProcessRunner runner, Path from, Path to) {
        runner.run(Command.of("cp", "--sparse=always", "--reflink=auto", "--", from.toString(), to.toString()));
    }
}
