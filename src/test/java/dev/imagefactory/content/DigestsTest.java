package dev.imagefactory.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefactory.model.Digest;
import dev.imagefactory.model.Digest.Algorithm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestsTest {

    /** FIPS 180-2 test vectors for "abc". */
    private static final String ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String ABC_SHA512 = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
    private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    @Test
    void digestsOfBytesMatchTheStandardVectors() {
        assertEquals(Digest.sha256Hex(ABC_SHA256), Digests.sha256(ABC));
        assertEquals(Digest.sha512Hex(ABC_SHA512), Digests.of(Algorithm.SHA512, ABC));
    }

    @Test
    void copyingHashesCountsAndCopiesEveryByte() throws IOException {
        byte[] content = random(3 * (1 << 16) + 17);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        BlobDescriptor copied = Digests.copy(new ByteArrayInputStream(content), copy);
        assertArrayEquals(content, copy.toByteArray());
        assertEquals(new BlobDescriptor(Digests.sha256(content), content.length), copied);
        assertEquals(copied, Digests.sha256(new ByteArrayInputStream(content)));
        Path file = Files.write(tmp.resolve("blob"), content);
        assertEquals(copied, Digests.sha256(file));
    }

    @Test
    void oneStreamingPassGivesEveryRequestedDigest() throws IOException {
        byte[] content = random(200_000);
        Map<String, byte[]> all = Digests.raw(new ByteArrayInputStream(content), List.of("SHA-256", "SHA-384", "SHA-512"));
        assertEquals(List.of("SHA-256", "SHA-384", "SHA-512"), List.copyOf(all.keySet()));
        assertArrayEquals(Digests.raw("SHA-384", content), all.get("SHA-384"));
        assertEquals(Digests.sha256(content).hex(), java.util.HexFormat.of().formatHex(all.get("SHA-256")));
        assertEquals(48, Digests.rawLength("SHA-384"));
        assertArrayEquals(Digests.raw("SHA-256", content), Digests.raw("SHA-256", java.util.Arrays.copyOf(content, 5),
                java.util.Arrays.copyOfRange(content, 5, content.length)), "parts hash as their concatenation");
    }

    @Test
    void countingDigestStreamHashesSeveralAlgorithmsAndCountsWhatWasWritten() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CountingDigestOutputStream out = new CountingDigestOutputStream(sink, Algorithm.SHA256, Algorithm.SHA512);
        out.write('a');
        out.write("bc".getBytes(StandardCharsets.US_ASCII), 0, 2);
        assertEquals(3, out.size());
        assertEquals(Digest.sha256Hex(ABC_SHA256), out.digest(Algorithm.SHA256));
        assertEquals(Digest.sha512Hex(ABC_SHA512), out.digest(Algorithm.SHA512));
        assertEquals(new BlobDescriptor(Digest.sha256Hex(ABC_SHA256), 3), out.descriptor());
        assertArrayEquals(ABC, sink.toByteArray());
        assertThrows(IllegalStateException.class, () -> out.write('d'), "the digest is final once taken");
    }

    @Test
    void bytesTheTargetRefusedAreNotCounted() {
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        };
        CountingDigestOutputStream out = new CountingDigestOutputStream(full);
        assertThrows(IOException.class, () -> out.write(ABC, 0, 3));
        assertEquals(0, out.size());
        assertEquals(Digests.sha256(new byte[0]), out.digest(Algorithm.SHA256));
        assertThrows(IllegalArgumentException.class, () -> out.digest(Algorithm.SHA512));
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
