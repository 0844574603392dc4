package dev.imagefactory.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.Digest.Algorithm;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashedFileWriterTest {

    @TempDir
    Path tmp;

    @Test
    void theDigestIsTheFilesAndThePublisherFindsItAfterARename() throws Exception {
        byte[] random = new byte[(int) HashedFileWriter.FLUSH_STEP * 2 + 12345]; // several background flushes
        new Random(7).nextBytes(random);
        Path source = Files.write(tmp.resolve("source"), new byte[] {1, 2, 3});
        Path written = tmp.resolve("out.tmp");
        ConcurrentDigests.FileDigests digests;
        try (HashedFileWriter writer = HashedFileWriter.create(written)) {
            writer.append(source);
            writer.pump(new ByteArrayInputStream(random));
            digests = writer.finish();
        }
        assertEquals(3L + random.length, digests.size());
        assertEquals(Digests.sha256(written).digest(), digests.digest(Algorithm.SHA256));

        Path renamed = Files.move(written, tmp.resolve("out")); // as a step renames its output into place
        assertEquals(digests, PrehashedFiles.take(renamed).orElseThrow());
        assertTrue(PrehashedFiles.take(renamed).isEmpty(), "a record is taken once");
    }

    @Test
    void otherDigestsTakenWhileWritingAreTheFilesAndKnownByItsSha256() throws Exception {
        byte[] content = new byte[(5 << 20) + 77]; // several buffers and a partial one
        new Random(11).nextBytes(content);
        Path file = tmp.resolve("initramfs");
        ConcurrentDigests.FileDigests digests;
        try (HashedFileWriter writer = HashedFileWriter.create(file).alsoTaking(List.of("SHA-384", "SHA-512"))) {
            writer.pump(new ByteArrayInputStream(content));
            digests = writer.finish();
        }
        String sha256 = digests.digest(Algorithm.SHA256).hex();
        java.util.Map<String, byte[]> known = ContentDigests.of(sha256, List.of("SHA-384", "SHA-512")).orElseThrow();
        assertArrayEquals(java.security.MessageDigest.getInstance("SHA-384").digest(content), known.get("SHA-384"));
        assertArrayEquals(java.security.MessageDigest.getInstance("SHA-512").digest(content), known.get("SHA-512"));
        assertTrue(ContentDigests.of(sha256, List.of("SHA-384", "SHA3-256")).isEmpty(), "only what was taken");
        assertTrue(ContentDigests.of("0".repeat(64), List.of("SHA-384")).isEmpty(), "only for that content");
        assertThrows(IllegalStateException.class, () -> HashedFileWriter.create(tmp.resolve("ranged"),
                List.of(new HashedFileWriter.Range(0, 4))).alsoTaking(List.of("SHA-384")),
                "other digests are of the whole file");
    }

    @Test
    void filesAppendedFirstComeBeforeWhatIsPumpedMeanwhile() throws Exception {
        byte[] first = new byte[(3 << 20) + 5];
        byte[] second = new byte[1000];
        byte[] pumped = new byte[(2 << 20) + 9];
        Random random = new Random(5);
        random.nextBytes(first);
        random.nextBytes(second);
        random.nextBytes(pumped);
        Path a = Files.write(tmp.resolve("early"), first);
        Path b = Files.write(tmp.resolve("base"), second);
        Path file = tmp.resolve("initramfs");
        ConcurrentDigests.FileDigests digests;
        try (HashedFileWriter writer = HashedFileWriter.create(file)) {
            writer.appendFirst(List.of(a, b));
            writer.pump(new ByteArrayInputStream(pumped)); // e.g. on a tool's drain thread, while the files go in
            digests = writer.finish();
        }
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        expected.write(first);
        expected.write(second);
        expected.write(pumped);
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file));
        assertEquals(HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(expected.toByteArray())), digests.digest(Algorithm.SHA256).hex());

        Path missing = tmp.resolve("missing");
        try (HashedFileWriter writer = HashedFileWriter.create(tmp.resolve("failed"))) {
            writer.appendFirst(List.of(missing));
            assertThrows(java.nio.file.NoSuchFileException.class,
                    () -> writer.pump(new ByteArrayInputStream(pumped)), "the append's failure reaches the pump");
        }
    }

    @Test
    void aFileChangedAfterItWasFinishedIsNotTakenForPrehashed() throws Exception {
        Path file = tmp.resolve("out");
        try (HashedFileWriter writer = HashedFileWriter.create(file)) {
            writer.write(new byte[100], 0, 100);
            writer.finish();
        }
        Files.write(file, new byte[] {9}, StandardOpenOption.APPEND);
        assertTrue(PrehashedFiles.take(file).isEmpty());
    }

    @Test
    void aWriterClosedUnfinishedRecordsNothingAndAFinishedOneTakesNoMoreBytes() throws Exception {
        Path file = tmp.resolve("out");
        try (HashedFileWriter writer = HashedFileWriter.create(file)) {
            writer.write(new byte[10], 0, 10);
        }
        assertEquals(10, Files.size(file));
        assertTrue(PrehashedFiles.take(file).isEmpty());

        HashedFileWriter finished = HashedFileWriter.create(tmp.resolve("other"));
        finished.finish();
        assertThrows(IllegalStateException.class, () -> finished.write(new byte[1], 0, 1));
        finished.close();
    }

    @Test
    void rangesLeftOutOfTheDigestAreWrittenButNotHashedEvenAcrossBuffers() throws Exception {
        byte[] content = new byte[3 << 20];
        new Random(3).nextBytes(content);
        long mib = 1 << 20;
        List<HashedFileWriter.Range> unhashed = List.of(new HashedFileWriter.Range(mib - 5, 10),
                new HashedFileWriter.Range(2 * mib + 7, 100));
        Path file = tmp.resolve("out");
        ConcurrentDigests.FileDigests digests;
        try (HashedFileWriter writer = HashedFileWriter.create(file, unhashed)) {
            for (int at = 0; at < content.length; at += 333_333) { // writes that do not line up with the buffers
                writer.write(content, at, Math.min(333_333, content.length - at));
            }
            digests = writer.finish();
        }
        assertArrayEquals(content, Files.readAllBytes(file));
        java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        kept.write(content, 0, (int) mib - 5);
        kept.write(content, (int) mib + 5, (int) mib + 2);
        kept.write(content, 2 * (int) mib + 107, content.length - 2 * (int) mib - 107);
        assertEquals(Digests.sha256(kept.toByteArray()), digests.digest(Algorithm.SHA256));
        assertTrue(PrehashedFiles.take(file).isEmpty(), "not the file's digest: not recorded");
    }
}
