package dev.imagefactory.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path tmp;

    @Test
    void writeReplacesTheTargetAndLeavesNothingElse() throws IOException {
        Path target = tmp.resolve("sub/dir/file.json");
        AtomicFiles.write(target, "one".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(target, out -> out.write("two".getBytes(StandardCharsets.UTF_8)));
        assertEquals("two", Files.readString(target));
        assertEquals(List.of(target), list(target.getParent()));
    }

    @Test
    void aFailedWriteKeepsTheOldContentAndRemovesItsTemporaryFile() throws IOException {
        Path target = tmp.resolve("file");
        AtomicFiles.write(target, "old".getBytes(StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write("half of the n".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), list(tmp));
    }

    @Test
    void whileBeingWrittenTheContentIsUnderATemporaryNameBesideTheTarget() throws IOException {
        Path target = tmp.resolve("artifact");
        AtomicFiles.writeFile(target, temporary -> {
            assertEquals(tmp, temporary.getParent());
            assertTrue(AtomicFiles.isTemporary(temporary), temporary.toString());
            assertFalse(Files.exists(target), "nothing is visible under the final name before the rename");
            Files.writeString(temporary, "done");
        });
        assertEquals("done", Files.readString(target));
    }

    @Test
    void aWorkFileIsCompleteUnderItsNameOrAbsent() throws IOException {
        Path target = tmp.resolve("work/disk.qcow2");
        AtomicFiles.writeWorkFile(target, temporary -> {
            assertTrue(AtomicFiles.isTemporary(temporary), temporary.toString());
            assertFalse(Files.exists(target), "nothing is visible under the final name before the rename");
            Files.writeString(temporary, "image");
        });
        assertEquals("image", Files.readString(target));
        Path failed = tmp.resolve("work/disk.raw.zst");
        assertThrows(IOException.class, () -> AtomicFiles.writeWorkFile(failed, temporary -> {
            Files.writeString(temporary, "half");
            throw new IOException("zstd failed");
        }));
        assertEquals(List.of(target), list(target.getParent()), "no half-written file, no temporary");
    }

    @Test
    void moveRenamesIntoPlace() throws IOException {
        Path built = Files.writeString(tmp.resolve("built"), "bytes");
        Path target = tmp.resolve("published");
        Files.writeString(target, "stale");
        AtomicFiles.move(built, target);
        assertEquals("bytes", Files.readString(target));
        assertFalse(Files.exists(built));
    }

    @Test
    void aDirectoryIsPublishedWholeAndTheFirstPublisherWins() throws IOException {
        Path entry = tmp.resolve("kind/abc");
        assertTrue(AtomicFiles.publishDirectory(entry, dir -> Files.writeString(dir.resolve("a"), "first")));
        assertFalse(AtomicFiles.publishDirectory(entry, dir -> Files.writeString(dir.resolve("a"), "second")));
        assertEquals("first", Files.readString(entry.resolve("a")));
        assertEquals(List.of(entry), list(entry.getParent()), "the loser's directory is gone");
    }

    @Test
    void aFailedFillLeavesNoDirectoryBehind() throws IOException {
        Path entry = tmp.resolve("kind/abc");
        assertThrows(IOException.class, () -> AtomicFiles.publishDirectory(entry, dir -> {
            Files.createDirectories(dir.resolve("deep/er"));
            Files.writeString(dir.resolve("deep/er/file"), "partial");
            throw new IOException("pull failed");
        }));
        assertEquals(List.of(), list(entry.getParent()));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        }
    }
}
