package dev.imagefactory.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static Digest sha256(byte[] bytes) throws Exception {
        return Digest.sha256Hex(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }

    private static VerifyingInputStream verifying(byte[] content, Digest expected) {
        return new VerifyingInputStream(new ByteArrayInputStream(content), content.length, expected, "blob",
                IOException::new);
    }

    @Test
    void passesEveryByteInOrderWhateverTheReadSizes() throws Exception {
        byte[] content = random((9 << 20) + 123, 1); // more chunks than are read ahead
        try (ReadAheadInputStream in = ReadAheadInputStream.of(verifying(content, sha256(content)))) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] small = new byte[511];
            int b = in.read();
            out.write(b);
            for (int n; (n = in.read(small)) != -1; ) {
                out.write(small, 0, n);
            }
            assertArrayEquals(content, out.toByteArray());
            assertEquals(-1, in.read());
            in.awaitSourceEnd();
        }
    }

    @Test
    void damagedContentFailsInPlaceOfItsLastBytes() throws Exception {
        byte[] content = random((3 << 20) + 7, 2);
        Digest other = sha256(random(10, 3));
        try (ReadAheadInputStream in = ReadAheadInputStream.of(verifying(content, other))) {
            byte[] buffer = new byte[1 << 16];
            long got = 0;
            IOException e = null;
            try {
                for (int n; (n = in.read(buffer)) != -1; ) {
                    got += n;
                }
            } catch (IOException failure) {
                e = failure;
            }
            assertTrue(e != null, "the mismatch reaches the consumer");
            assertTrue(got < content.length, "never all of the damaged content: " + got);
            IOException again = assertThrows(IOException.class, in::awaitSourceEnd);
            assertEquals(e, again);
        }
    }

    @Test
    void aConsumerThatStopsEarlyStillHasTheRestReadAndVerified() throws Exception {
        byte[] content = random((12 << 20) + 1, 4);
        VerifyingInputStream source = verifying(content, sha256(content));
        try (ReadAheadInputStream in = ReadAheadInputStream.of(source)) {
            in.readNBytes(1000); // e.g. a tar reader at the archive's end marker, before its padding
            in.awaitSourceEnd();
            source.verifyToEnd(); // verified already: reads nothing, fails nothing
        }
        byte[] damaged = content.clone();
        damaged[damaged.length - 1] ^= 1;
        try (ReadAheadInputStream in = ReadAheadInputStream.of(verifying(damaged, sha256(content)))) {
            in.readNBytes(1000);
            assertThrows(IOException.class, in::awaitSourceEnd, "damage past where the consumer stopped");
        }
    }

    @Test
    void closingStopsTheReaderAndClosesTheSource() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return len;
            }

            @Override
            public void close() {
                closed.set(true);
            }
        };
        ReadAheadInputStream in = ReadAheadInputStream.of(endless);
        assertEquals(100, in.readNBytes(100).length);
        long started = System.nanoTime();
        in.close();
        assertTrue(closed.get());
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "the reader stopped when told");
    }
}
