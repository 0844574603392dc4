package dev.imagefactory.secureboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.StandinRelease;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** Sections and PE images are streamed: 128 MiB inputs in a JVM limited to a 32 MiB heap. */
@Tag("slow")
class StreamingTest {

    static final int MIB = 128;

    @Test
    void pcrSignatureAndPeSigningWorkWithAHeapMuchSmallerThanTheInput(@TempDir Path dir) throws Exception {
        TestKeys.material();
        Path pe = StandinRelease.version(StandinRelease.V1_11).resolve("usr/install/amd64/systemd-boot.efi");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx32m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), StreamingProbe.class.getName(),
                dir.toString(), TestKeys.dir().toString(), pe.toString(), String.valueOf(MIB)))
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe hung");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("pcrsig="), out);
        Path signed = dir.resolve("big.efi.signed");
        assertTrue(Files.size(signed) > (long) MIB << 20);
        PeSignerTest.Run verify = PeSignerTest.sbverify(TestKeys.certificatePem(), signed);
        assertEquals(0, verify.exit(), verify.output());
    }
}
