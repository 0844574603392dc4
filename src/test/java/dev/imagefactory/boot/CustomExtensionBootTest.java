package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, custom extensions: the stand-in release's extra extensions manifest ({@code extra-extensions/}, one toy
 * extension {@code acme/custom-hello}) switched on with {@code factory.extensions.extra.folder}. The custom extension
 * is listed next to the official ones, a schematic names it like any official one (its ID computed as always), it
 * lands in the initramfs with its {@code extensions.yaml} entry, and the stand-in init mounts it in QEMU (one boot).
 */
@Tag("slow")
@QuarkusTest
@TestProfile(CustomExtensionBootTest.ExtraFolderProfile.class)
class CustomExtensionBootTest {

    /** The stand-in release with its extra extensions folder switched on, on a fresh data dir. */
    public static class ExtraFolderProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "factory.releases.dir", StandinRelease.ensure().toString(),
                    "factory.extensions.extra.folder", "extra-extensions",
                    "factory.data-dir", Path.of("target/custom-extension-test-data/" + System.nanoTime())
                            .toAbsolutePath().toString());
        }
    }

    static final String VERSION = StandinRelease.V1_11;
    static final String SCHEMATIC = """
            customization:
              systemExtensions:
                officialExtensions:
                  - acme/custom-hello
                  - standin/usr-local-tools
            """;
    /** The canonical form of {@link #SCHEMATIC} as the reference's go-yaml writes it; its SHA-256 is the ID. */
    static final String CANONICAL = "customization:\n    systemExtensions:\n        officialExtensions:\n"
            + "            - acme/custom-hello\n            - standin/usr-local-tools\n";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path tmp;

    @Test
    void aCustomExtensionIsListedBuiltIntoTheInitramfsAndMountedAtBoot() throws Exception {
        Path extra = StandinRelease.version(VERSION).resolve("extra-extensions/image-digests");
        String line = Files.readAllLines(extra).get(0);
        String digest = line.substring(line.indexOf('@') + 1);

        // listed like the reference lists extra extensions: first, under their own names, beside the official ones
        JsonNode listed = JSON.readTree(given().get("/version/" + VERSION + "/extensions/official").then()
                .statusCode(200).extract().asString());
        assertEquals(List.of("acme/custom-hello", "standin/dummy-module", "standin/intel-ucode", "standin/usr-local-tools"),
                BootAssetsTest.texts(listed, "name"));
        JsonNode custom = listed.get(0);
        assertEquals("registry.acme.example/acme/custom-hello:1.0.0", custom.get("ref").asText());
        assertEquals(digest, custom.get("digest").asText());
        assertEquals("Acme Corp (stand-in)", custom.get("author").asText());
        assertTrue(custom.get("description").asText().startsWith("A custom extension of a made-up vendor"), custom.toString());

        // the schematic format and its ID do not change: the ID is the SHA-256 of the canonical YAML
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(CANONICAL.getBytes(StandardCharsets.UTF_8))), id);
        assertEquals(CANONICAL, given().get("/schematics/" + id).then().statusCode(200).extract().asString());

        String base = "/image/" + id + "/" + VERSION + "/";
        Path kernel = Files.write(tmp.resolve("kernel"), BootAssetsTest.get(base + "kernel-amd64"));
        Path initramfs = Files.write(tmp.resolve("initramfs.xz"), BootAssetsTest.get(base + "initramfs-amd64.xz"));
        String cmdline = new String(BootAssetsTest.get(base + "cmdline-metal-amd64"), StandardCharsets.UTF_8);

        // in the initramfs: the layer and its extensions.yaml entry, from the custom image's manifest.yaml
        Path layers = extractExtensionsSegment(initramfs);
        String yaml = Files.readString(layers.resolve("extensions.yaml"));
        assertTrue(yaml.startsWith("layers:\n    - image: 0.sqsh\n      metadata:\n        name: custom-hello\n"
                + "        version: 1.0.0\n"), yaml);
        assertTrue(yaml.contains("    - image: 1.sqsh\n      metadata:\n        name: usr-local-tools\n"), yaml);
        String files = tools.run(Command.of("unsquashfs", "-l", layers.resolve("0.sqsh").toString())).stdout();
        assertTrue(files.contains("usr/local/share/acme/custom-hello.txt"), files);

        // booted: the stand-in init mounts every layer of extensions.yaml and reports what it sees
        JsonNode report = Qemu.kernelBoot(kernel, initramfs, cmdline).serialLog(tmp.resolve("serial.log")).run();
        assertTrue(report.get("mounted").asBoolean(), report.toString());
        assertEquals(List.of("custom-hello", "usr-local-tools", "schematic"),
                BootAssetsTest.texts(report.get("extensions"), "name").subList(0, 3), report.toString());
        assertEquals("1.0.0", report.get("extensions").get(0).get("version").asText());
        List<String> usrLocal = BootAssetsTest.texts(report.get("usrLocal"), null);
        assertTrue(usrLocal.containsAll(List.of("share/acme/custom-hello.txt", "bin/standin-hello",
                "share/schematic/" + id)), usrLocal.toString());
        assertEquals(List.of(), BootAssetsTest.texts(report.get("errors"), null));
    }

    /** The third initramfs segment (after the base initramfs, Talos >= 1.8: zstd), unpacked into a directory. */
    private Path extractExtensionsSegment(Path initramfs) throws Exception {
        byte[] all = Files.readAllBytes(initramfs);
        byte[] baseBytes = Files.readAllBytes(StandinRelease.version(VERSION).resolve("usr/install/amd64/initramfs.xz"));
        int at = BootAssetsTest.indexOf(all, baseBytes);
        assertTrue(at >= 0, "the base initramfs is in the served one");
        Path third = Files.write(tmp.resolve("third.zst"), Arrays.copyOfRange(all, at + baseBytes.length, all.length));
        Path cpio = tmp.resolve("third.cpio");
        tools.run(Command.of("zstd", "-d", "-c", "--quiet").stdinFrom(third).stdoutTo(cpio));
        Path out = Files.createDirectories(tmp.resolve("layers"));
        tools.run(Command.of("cpio", "-i", "-d", "--quiet").in(out).stdinFrom(cpio));
        return out;
    }
}
