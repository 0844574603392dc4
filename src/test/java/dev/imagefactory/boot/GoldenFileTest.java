package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The golden file's format and its diff-like failure message, without the factory. */
class GoldenFileTest {

    @TempDir
    Path tmp;

    @Test
    void diffListsEveryChangedAppearedAndVanishedKeyThenTheContextThatDiffers() {
        GoldenFile golden = new GoldenFile(Map.of("image/a", "sha256:1 10", "image/b", "sha256:2 20",
                "image/c", "sha256:3 30", "input/release", "sha256:r1", "tool/xorriso", "1.5.4"));
        GoldenFile measured = new GoldenFile(Map.of("image/a", "sha256:1 10", "image/b", "sha256:9 21",
                "image/d", "sha256:4 40", "input/release", "sha256:r2", "tool/xorriso", "1.5.4"));

        assertEquals(List.of(
                "~ image/b  sha256:2 20 -> sha256:9 21",
                "- image/c  sha256:3 30  (vanished)",
                "+ image/d  sha256:4 40  (appeared)",
                "inputs and tools that differ from the recording (a likely cause):",
                "~ input/release  sha256:r1 -> sha256:r2"), measured.diff(golden));
    }

    @Test
    void contextAloneIsNoDifference() {
        GoldenFile golden = new GoldenFile(Map.of("image/a", "sha256:1 10", "tool/xorriso", "1.5.4"));
        GoldenFile measured = new GoldenFile(Map.of("image/a", "sha256:1 10", "tool/xorriso", "1.5.5"));
        assertEquals(List.of(), measured.diff(golden));
    }

    @Test
    void writtenFileIsSortedWithItsHeaderAndReadsBack() throws Exception {
        Path file = tmp.resolve("golden/artifacts.txt");
        Map<String, String> entries = Map.of("v2/x", "sha256:2 2", "image/y", "sha256:1 1");
        new GoldenFile(entries).write(file, List.of("header"));
        assertEquals("# header\nimage/y\tsha256:1 1\nv2/x\tsha256:2 2\n", Files.readString(file));
        assertEquals(entries, GoldenFile.read(file).entries());
    }
}
