package dev.imagefactory.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.Digest;
import dev.imagefactory.model.Digest.Algorithm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The concurrent digests equal the one-pass ones, for files and reopenable content, and failures surface. */
class ConcurrentDigestsTest {

    @TempDir
    Path tmp;

    @Test
    void aFilesDigestsAndSizeEqualTheOnePassOnes() throws IOException {
        byte[] content = new byte[3 * (1 << 20) + 12345]; // several read chunks and a partial one
        new Random(7).nextBytes(content);
        Path file = Files.write(tmp.resolve("artifact"), content);

        ConcurrentDigests.FileDigests concurrent = ConcurrentDigests.ofFileAndSync(file, Algorithm.SHA256, Algorithm.SHA512);

        assertEquals(content.length, concurrent.size());
        assertEquals(Digests.of(Algorithm.SHA256, content), concurrent.digest(Algorithm.SHA256));
        assertEquals(Digests.of(Algorithm.SHA512, content), concurrent.digest(Algorithm.SHA512));
        assertEquals(new Digest(Algorithm.SHA256,
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                ConcurrentDigests.ofFileAndSync(Files.createFile(tmp.resolve("empty")), Algorithm.SHA256)
                        .digest(Algorithm.SHA256));
        assertEquals(Map.of(Algorithm.SHA256, Digests.of(Algorithm.SHA256, content),
                Algorithm.SHA512, Digests.of(Algorithm.SHA512, content)),
                ConcurrentDigests.of(() -> Files.newInputStream(file), Algorithm.SHA256, Algorithm.SHA512));
    }

    @Test
    void everyAlgorithmReadsTheContentItselfOffTheCallersThreadButOne() throws IOException {
        byte[] content = "the .linux section".getBytes();
        Set<String> readers = ConcurrentHashMap.newKeySet();
        AtomicInteger opened = new AtomicInteger();
        List<String> algorithms = List.of("SHA-1", "SHA-256", "SHA-384", "SHA-512");

        Map<String, byte[]> concurrent = ConcurrentDigests.raw(() -> {
            readers.add(Thread.currentThread().getName());
            opened.incrementAndGet();
            return new ByteArrayInputStream(content);
        }, algorithms);

        Map<String, byte[]> onePass = Digests.raw(new ByteArrayInputStream(content), algorithms);
        assertEquals(algorithms, List.copyOf(concurrent.keySet()), "in the order asked");
        for (String algorithm : algorithms) {
            assertArrayEquals(onePass.get(algorithm), concurrent.get(algorithm), algorithm);
        }
        assertEquals(4, opened.get(), "opened once per algorithm");
        assertTrue(readers.contains(Thread.currentThread().getName()), "the first on the caller's thread");
        assertTrue(readers.stream().anyMatch(name -> name.startsWith("digest-worker-")), "the others on workers: " + readers);
        assertEquals("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                HexFormat.of().formatHex(ConcurrentDigests.raw(() -> new ByteArrayInputStream("test".getBytes()),
                        List.of("SHA-256")).get("SHA-256")));
    }

    @Test
    void aReadFailureOnAWorkerReachesTheCaller() {
        IOException failure = assertThrows(IOException.class, () -> ConcurrentDigests.raw(new ConcurrentDigests.Content() {
            private int opened;

            @Override
            public synchronized InputStream open() throws IOException {
                if (opened++ == 0) {
                    return new ByteArrayInputStream(new byte[10]);
                }
                throw new IOException("section gone");
            }
        }, List.of("SHA-256", "SHA-512")));
        assertEquals("section gone", failure.getMessage());

        assertThrows(NoSuchFileException.class,
                () -> ConcurrentDigests.ofFileAndSync(tmp.resolve("absent"), Algorithm.SHA256, Algorithm.SHA512));
    }
}
