package dev.imagefactory.tools;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * How far a running tool has read one of its input files: the file offset of the tool's descriptor for it, as Linux
 * shows it in {@code /proc/<pid>/fdinfo}. This costs the tool nothing (no pipe through the JVM to count bytes), and
 * is what a streaming compressor's progress is. Where there is no {@code /proc} (or the tool reads with
 * {@code pread}, which leaves the offset alone) nothing is known and nothing is reported.
 */
final class ReadPosition {

    private static final Path PROC = Path.of("/proc");

    private final Path procFds;
    private final Path procFdInfo;
    private final Path input;
    private String fd; // found once, then read directly

    ReadPosition(long pid, Path input) {
        this.procFds = PROC.resolve(Long.toString(pid)).resolve("fd");
        this.procFdInfo = PROC.resolve(Long.toString(pid)).resolve("fdinfo");
        this.input = input.toAbsolutePath().normalize();
    }

    /** The tool's offset in the input now, empty when it has no descriptor for it (yet, or any more). */
    OptionalLong now() {
        try {
            if (fd == null) {
                fd = findFd();
                if (fd == null) {
                    return OptionalLong.empty();
                }
            }
            for (String line : Files.readAllLines(procFdInfo.resolve(fd))) {
                if (line.startsWith("pos:")) {
                    return OptionalLong.of(Long.parseLong(line.substring(4).trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            fd = null; // the tool ended or closed it: look again next time
        }
        return OptionalLong.empty();
    }

    private String findFd() throws IOException {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(procFds)) {
            for (Path link : fds) {
                try {
                    if (Files.readSymbolicLink(link).equals(input)) {
                        return link.getFileName().toString();
                    }
                } catch (IOException e) {
                    // closed while we looked
                }
            }
        }
        return null;
    }
}
