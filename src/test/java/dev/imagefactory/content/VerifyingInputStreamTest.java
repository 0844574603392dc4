package dev.imagefactory.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VerifyingInputStreamTest {

    /** The exception the tests' reader expects, carrying the problem found. */
    static final class Mismatch extends IOException {
        Mismatch(String problem) {
            super(problem);
        }
    }

    private final byte[] content = random(100_000);
    private final Digest digest = Digests.sha256(content);
    private final List<String> reported = new ArrayList<>();

    private VerifyingInputStream verifying(InputStream in, long size, Digest expected) {
        return new VerifyingInputStream(in, size, expected, "blob x", problem -> {
            reported.add(problem);
            return new Mismatch(problem);
        });
    }

    @Test
    void passesMatchingContentThroughAndSaysSoOnce() throws IOException {
        AtomicInteger verified = new AtomicInteger();
        VerifyingInputStream in = verifying(new ByteArrayInputStream(content), content.length, digest)
                .whenVerified(verified::incrementAndGet);
        assertArrayEquals(content, in.readAllBytes());
        assertEquals(-1, in.read());
        in.verifyToEnd();
        assertEquals(1, verified.get());
        assertTrue(reported.isEmpty());
    }

    @Test
    void theReaderNeverGetsEveryByteOfMismatchingContent() {
        byte[] damaged = content.clone();
        damaged[damaged.length - 1] ^= 1;
        VerifyingInputStream in = verifying(new ByteArrayInputStream(damaged), damaged.length, digest);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Mismatch e = assertThrows(Mismatch.class, () -> copy(in, received));
        assertTrue(received.size() < damaged.length, "received " + received.size() + " of " + damaged.length);
        assertTrue(e.getMessage().contains("blob x does not match " + digest), e.getMessage());
        assertEquals(List.of(e.getMessage()), reported, "the damage is reported once");
        assertThrows(IOException.class, in::read, "later reads fail too");
        assertEquals(1, reported.size());
    }

    @Test
    void contentLongerThanExpectedFailsWithoutReadingOn() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };
        InputStream longer = new SequenceInputStream(new ByteArrayInputStream(content), endless);
        VerifyingInputStream in = verifying(longer, content.length, digest);
        Mismatch e = assertThrows(Mismatch.class, () -> copy(in, OutputStreamSink.INSTANCE));
        assertTrue(e.getMessage().contains("is longer than its expected " + content.length + " bytes"), e.getMessage());
    }

    @Test
    void contentThatEndsEarlyFails() {
        byte[] shorter = java.util.Arrays.copyOf(content, content.length - 10);
        VerifyingInputStream in = verifying(new ByteArrayInputStream(shorter), content.length, digest);
        Mismatch e = assertThrows(Mismatch.class, () -> copy(in, OutputStreamSink.INSTANCE));
        assertTrue(e.getMessage().contains("ended after " + shorter.length + " of its expected " + content.length),
                e.getMessage());
    }

    @Test
    void sizeAloneOrDigestAloneIsCheckedToo() throws IOException {
        assertArrayEquals(content, verifying(new ByteArrayInputStream(content), -1, digest).readAllBytes());
        assertArrayEquals(content, verifying(new ByteArrayInputStream(content), content.length, null).readAllBytes());
        byte[] other = random(10);
        assertThrows(Mismatch.class, () -> verifying(new ByteArrayInputStream(other), -1, digest).readAllBytes());
        assertThrows(Mismatch.class, () -> verifying(new ByteArrayInputStream(other), 11, null).readAllBytes());
        assertThrows(IllegalArgumentException.class, () -> verifying(InputStream.nullInputStream(), -1, null));
    }

    @Test
    void skippedAndUnreadBytesAreStillChecked() throws IOException {
        byte[] damaged = content.clone();
        damaged[5] ^= 1;
        VerifyingInputStream in = verifying(new ByteArrayInputStream(damaged), damaged.length, digest);
        in.skip(1000);
        assertThrows(Mismatch.class, in::verifyToEnd);

        VerifyingInputStream intact = verifying(new ByteArrayInputStream(content), content.length, digest);
        assertEquals(content[0] & 0xff, intact.read());
        intact.verifyToEnd();
        assertTrue(reported.size() == 1);
    }

    @Test
    void aSha512DigestIsCheckedWithSha512() throws IOException {
        Digest sha512 = Digests.of(Digest.Algorithm.SHA512, content);
        assertArrayEquals(content, verifying(new ByteArrayInputStream(content), content.length, sha512).readAllBytes());
        byte[] damaged = content.clone();
        damaged[0] ^= 1;
        assertThrows(Mismatch.class,
                () -> verifying(new ByteArrayInputStream(damaged), damaged.length, sha512).readAllBytes());
    }

    private static void copy(InputStream in, java.io.OutputStream out) throws IOException {
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) != -1; ) {
            out.write(buffer, 0, n);
        }
    }

    /** Discards, for reads whose bytes do not matter. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
