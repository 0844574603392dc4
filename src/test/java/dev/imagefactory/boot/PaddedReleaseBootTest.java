package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.content.Digests;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: real sizes still boot. The padded stand-in release ({@code build-standin-release --padded}: a 20 MiB
 * kernel, 80 MiB of incompressible rootfs, a 300 MiB firmware extension) built cold with every extension, downloaded
 * as files (never held in memory here) and booted from the kernel and initramfs in QEMU; the init sees every layer
 * mounted and all the firmware, byte for byte in size.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(PaddedReleaseBootTest.PaddedProfile.class)
class PaddedReleaseBootTest {

    public static class PaddedProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "factory.releases.dir", StandinRelease.ensurePadded().toString(),
                    "factory.data-dir", Path.of("target/padded-boot-test-data/" + System.nanoTime())
                            .toAbsolutePath().toString());
        }
    }

    static final String VERSION = StandinRelease.PADDED_VERSION;
    static final String SCHEMATIC = """
            customization:
              extraKernelArgs:
                - padded.boot=1
              systemExtensions:
                officialExtensions:
                  - standin/dummy-module
                  - standin/intel-ucode
                  - standin/standin-firmware
                  - standin/usr-local-tools
            """;
    static final int FIRMWARE_FILES = 75;
    static final long FIRMWARE_FILE_BYTES = 4L << 20;
    static final long MIB = 1L << 20;
    /** standin/intel-ucode's standin/demo-firmware.bin, as build-standin-release writes it. */
    static final String DEMO_FIRMWARE = "STANDIN DEMO FIRMWARE - not real firmware\n";

    @TestHTTPResource("/")
    URI base;

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aReleaseOfTalosSizeBuildsAndBoots() throws Exception {
        Path release = StandinRelease.ensurePadded().resolve(VERSION);
        Path releaseKernel = release.resolve("usr/install/amd64/vmlinuz");
        long baseInitramfs = Files.size(release.resolve("usr/install/amd64/initramfs.xz"));
        assertEquals(20 * MIB, Files.size(releaseKernel), "the padded kernel has Talos' size");
        assertTrue(baseInitramfs > 80 * MIB, "the base initramfs carries the incompressible rootfs: " + baseInitramfs);

        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        String path = "image/" + id + "/" + VERSION + "/";
        Path kernel = download(path + "kernel-amd64", tmp.resolve("kernel"));
        Path initramfs = download(path + "initramfs-amd64.xz", tmp.resolve("initramfs.xz"));
        String cmdline = Files.readString(download(path + "cmdline-metal-amd64", tmp.resolve("cmdline")));

        assertEquals(Digests.sha256(releaseKernel).digest(), Digests.sha256(kernel).digest(),
                "the kernel is served as released");
        // the firmware (300 MiB, half of it zeros) compresses about 2:1 after the base initramfs
        long added = Files.size(initramfs) - baseInitramfs;
        assertTrue(added > 140 * MIB && added < 200 * MIB, "extension segments of " + added / MIB + " MiB");

        JsonNode report = Qemu.kernelBoot(kernel, initramfs, cmdline).memory(2048)
                .timeout(Duration.ofMinutes(5)).serialLog(tmp.resolve("serial.log")).run();
        assertEquals(List.of(), BootAssetsTest.texts(report.get("errors"), null));
        assertTrue(report.get("mounted").asBoolean(), report.toString());
        assertTrue(report.get("cmdline").asText().contains("padded.boot=1"), report.get("cmdline").asText());
        assertEquals(List.of("dummy-module", "intel-ucode", "standin-firmware", "usr-local-tools", "schematic",
                "modules.dep"),
                BootAssetsTest.texts(report.get("extensions"), "name"), report.toString());
        List<String> firmware = BootAssetsTest.texts(report.get("firmware"), null);
        List<String> expected = IntStream.rangeClosed(1, FIRMWARE_FILES)
                .mapToObj(i -> String.format("standin-firmware/fw-%02d.bin", i)).toList();
        assertTrue(firmware.containsAll(expected), firmware.toString());
        // every byte of it: the padding files plus intel-ucode's demo firmware file
        assertEquals(FIRMWARE_FILES * FIRMWARE_FILE_BYTES + DEMO_FIRMWARE.length(), report.get("firmwareBytes").asLong());
        assertEquals(List.of("dummy"), BootAssetsTest.texts(report.get("modules"), null));
    }

    private Path download(String path, Path to) throws IOException, InterruptedException {
        HttpResponse<Path> response = http.send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofFile(to));
        assertEquals(200, response.statusCode(), () -> path + ": " + read(to));
        return to;
    }

    private static String read(Path file) {
        try {
            return Files.size(file) < 4096 ? Files.readString(file, StandardCharsets.UTF_8) : Files.size(file) + " bytes";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
