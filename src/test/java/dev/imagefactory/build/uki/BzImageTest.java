package dev.imagefactory.build.uki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code .uname} rule of talos-imager.md §4.2, on the stand-in kernel and on hand-made headers. */
class BzImageTest {

    @TempDir
    Path tmp;

    @Test
    void readsTheStandinKernelsRelease() throws Exception {
        // Expected value from the release's rootfs (its modules directory), not from the bzImage header.
        assertEquals(Optional.of(Fixtures.kernelReleaseFromRootfs(tmp)), BzImage.kernelRelease(Fixtures.kernel()));
    }

    @Test
    void keepsTheTextUpToTheFirstSpace() throws Exception {
        assertEquals(Optional.of("6.12.40-talos"),
                release(header(4, 0x300, "6.12.40-talos (@buildkitsandbox) #1 SMP", true)));
        assertEquals(Optional.of("6.18.1"), release(header(4, 0x300, "6.18.1", true)));
    }

    @Test
    void acceptsAnOffsetOfExactlySetupSectsTimes512() throws Exception {
        assertEquals(Optional.of("6.1.0"), release(header(2, 1024, "6.1.0 x", true)));
    }

    @Test
    void omitsTheReleaseWhenTheHeaderGivesNone() throws Exception {
        assertEquals(Optional.empty(), release(header(2, 1025, "6.1.0 x", true)), "offset beyond setup_sects*512");
        assertEquals(Optional.empty(), release(header(4, 0, "6.1.0 x", true)), "offset 0");
        assertEquals(Optional.empty(), release(header(4, 0x300, "6.1.0 x", false)), "no HdrS");
        assertEquals(Optional.empty(), release(header(4, 0x300, " 6.1.0", true)), "empty text before the space");
        byte[] unterminated = header(4, 0x300, "6.1.0", true);
        Files.write(tmp.resolve("k"), Arrays.copyOf(unterminated, 0x500 + 5));
        assertEquals(Optional.empty(), BzImage.kernelRelease(tmp.resolve("k")), "no NUL before the end of the file");
        Files.write(tmp.resolve("short"), new byte[0x100]);
        assertEquals(Optional.empty(), BzImage.kernelRelease(tmp.resolve("short")), "shorter than a setup header");
        // An arm64 Image: "ARM\x64" at 0x38, no HdrS.
        byte[] arm64 = new byte[0x4000];
        arm64[0x38] = 'A';
        arm64[0x39] = 'R';
        arm64[0x3a] = 'M';
        arm64[0x3b] = 0x64;
        Files.write(tmp.resolve("Image"), arm64);
        assertEquals(Optional.empty(), BzImage.kernelRelease(tmp.resolve("Image")), "arm64");
    }

    private Optional<String> release(byte[] kernel) throws Exception {
        Path file = Files.write(tmp.resolve("vmlinuz"), kernel);
        return BzImage.kernelRelease(file);
    }

    /** A fake bzImage: setup_sects at 0x1F1, "HdrS" at 0x202, version offset at 0x20E, the string at offset+0x200. */
    private static byte[] header(int setupSects, int versionOffset, String version, boolean hdrS) {
        ByteBuffer b = ByteBuffer.allocate(0x2000).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x1f1, (byte) setupSects);
        if (hdrS) {
            b.put(0x202, "HdrS".getBytes(StandardCharsets.US_ASCII));
        }
        b.putShort(0x20e, (short) versionOffset);
        b.put(versionOffset + 0x200, version.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }
}
