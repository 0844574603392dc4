package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/**
 * Issue 3 end to end: boot assets served by the factory over HTTP from the stand-in release, laid out as the spec
 * says, booted in QEMU, and served with the cache's guarantees (one build for concurrent cold requests, ranges).
 */
@Tag("slow")
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class BootAssetsTest {

    /**
     * The stand-in release as the release source, a fresh data dir (cold cache), a distinct PXE host, and SecureBoot
     * with Debian OVMF's snakeoil key pair.
     */
    public static class StandinProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new java.util.HashMap<>(Map.of(
                    "factory.releases.dir", StandinRelease.ensure().toString(),
                    "factory.data-dir", Path.of("target/boot-assets-test-data/" + System.nanoTime()).toAbsolutePath().toString(),
                    "factory.external-url", "http://factory.example",
                    "factory.external-pxe-url", "http://pxe.example:8080/"));
            config.putAll(SnakeoilKeys.config());
            return config;
        }
    }

    static final String META_B64 = "MHhhPXsiZXh0ZXJuYWxJUHMiOlsiMS4yLjMuNCJdfQ==";
    static final String SCHEMATIC = """
            customization:
              extraKernelArgs:
                - talos.dashboard.disabled=1
                - -pti
              meta:
                - key: 10
                  value: '{"externalIPs":["1.2.3.4"]}'
              systemExtensions:
                officialExtensions:
                  - standin/intel-ucode
                  - standin/dummy-module
                  - standin/usr-local-tools
            """;

    /** Expected cmdlines, written out from spec §3 by hand: platform args, defaults, META, then user args. */
    static final Map<String, String> EXPECTED_CMDLINE = Map.of(
            StandinRelease.V1_7, "talos.platform=metal console=ttyS0 console=tty0 init_on_alloc=1 slab_nomerge"
                    + " consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng"
                    + " ima_appraise=fix ima_hash=sha512 talos.environment=INSTALLER_META_BASE64=" + META_B64
                    + " talos.dashboard.disabled=1",
            StandinRelease.V1_11, "talos.platform=metal console=tty0 init_on_alloc=1 slab_nomerge consoleblank=0"
                    + " nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1"
                    + " talos.environment=INSTALLER_META_BASE64=" + META_B64 + " talos.dashboard.disabled=1");

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path tmp;

    @BeforeAll
    static void release() {
        StandinRelease.ensure();
    }

    static String createSchematic(String yaml) {
        return given().body(yaml).post("/schematics").then().statusCode(201).extract().path("id");
    }

    /** The body of a GET that must answer 200. */
    static byte[] get(String path) {
        return given().get(path).then().statusCode(200).extract().asByteArray();
    }

    private Path download(String path, Path to) throws Exception {
        byte[] body = given().get(path).then().statusCode(200).extract().asByteArray();
        return Files.write(to, body);
    }

    @ParameterizedTest
    @ValueSource(strings = {StandinRelease.V1_7, StandinRelease.V1_11})
    void servedKernelInitramfsAndCmdlineBootWithEveryExtension(String version) throws Exception {
        String id = createSchematic(SCHEMATIC);
        String base = "/image/" + id + "/" + version + "/";
        Path kernel = download(base + "kernel-amd64", tmp.resolve("kernel"));
        Path initramfs = download(base + "initramfs-amd64.xz", tmp.resolve("initramfs.xz"));
        String cmdline = given().get(base + "cmdline-metal-amd64").then().statusCode(200).extract().asString();
        assertEquals(EXPECTED_CMDLINE.get(version), cmdline);
        assertArrayEquals(Files.readAllBytes(StandinRelease.version(version).resolve("usr/install/amd64/vmlinuz")),
                Files.readAllBytes(kernel), "the kernel is served as the release has it");

        JsonNode report = Qemu.kernelBoot(kernel, initramfs, cmdline).serialLog(tmp.resolve("serial.log")).run();

        assertEquals(cmdline, report.get("cmdline").asText());
        assertEquals(List.of("intel-ucode", "dummy-module", "usr-local-tools", "schematic", "modules.dep"),
                texts(report.get("extensions"), "name"));
        assertEquals(List.of("0.sqsh", "1.sqsh", "2.sqsh", "3.sqsh", "modules.dep.sqsh"),
                texts(report.get("extensions"), "image"));
        assertEquals(id, report.get("extensions").get(3).get("version").asText());
        assertTrue(report.get("mounted").asBoolean(), report.toString());
        assertEquals(List.of("GenuineIntel.bin"), texts(report.get("microcode"), null));
        assertEquals(List.of("standin/demo-firmware.bin"), texts(report.get("firmware"), null));
        assertEquals(List.of("dummy"), texts(report.get("modules"), null));
        assertTrue(texts(report.get("usrLocal"), null).containsAll(List.of("bin/standin-hello",
                "share/standin/hello.txt", "share/schematic/" + id)), report.toString());
        assertEquals("0xa={\"externalIPs\":[\"1.2.3.4\"]}", report.get("meta").asText());
        assertEquals(List.of(), texts(report.get("errors"), null));
    }

    @Test
    void initramfsHasTheSpecLayout() throws Exception {
        String version = StandinRelease.V1_11;
        String id = createSchematic(SCHEMATIC);
        Path initramfs = download("/image/" + id + "/" + version + "/initramfs-amd64.xz", tmp.resolve("i.xz"));
        byte[] all = Files.readAllBytes(initramfs);
        byte[] baseBytes = Files.readAllBytes(StandinRelease.version(version).resolve("usr/install/amd64/initramfs.xz"));
        String kver = StandinRelease.kernelRelease(version, "amd64");

        // segment 1: the plain microcode cpio, read by cpio itself (it stops at the first trailer)
        assertEquals(List.of("kernel", "kernel/x86", "kernel/x86/microcode", "kernel/x86/microcode/GenuineIntel.bin"),
                lines(tools.run(Command.of("cpio", "-t", "--quiet").stdinFrom(initramfs)).stdout()));
        // segment 2: the base initramfs, unchanged
        int at = indexOf(all, baseBytes);
        assertTrue(at > 0, "the base initramfs follows the microcode cpio");
        // segment 3: zstd newc cpio with the layers, extensions.yaml and firmware
        Path third = Files.write(tmp.resolve("third.zst"), Arrays.copyOfRange(all, at + baseBytes.length, all.length));
        assertEquals((byte) 0x28, Files.readAllBytes(third)[0], "zstd magic (Talos >= 1.8)");
        Path cpio = tmp.resolve("third.cpio");
        tools.run(Command.of("zstd", "-d", "-c", "--quiet").stdinFrom(third).stdoutTo(cpio));
        assertEquals(List.of("0.sqsh", "1.sqsh", "2.sqsh", "3.sqsh", "extensions.yaml", "modules.dep.sqsh", "usr",
                "usr/lib", "usr/lib/firmware", "usr/lib/firmware/intel-ucode", "usr/lib/firmware/standin",
                "usr/lib/firmware/standin/demo-firmware.bin"),
                lines(tools.run(Command.of("cpio", "-t", "--quiet").stdinFrom(cpio)).stdout()));
        Path out = Files.createDirectories(tmp.resolve("x"));
        tools.run(Command.of("cpio", "-i", "-d", "--quiet").in(out).stdinFrom(cpio));
        String yaml = Files.readString(out.resolve("extensions.yaml"));
        assertTrue(yaml.startsWith("layers:\n    - image: 0.sqsh\n      metadata:\n        name: intel-ucode\n"), yaml);
        assertTrue(yaml.contains("    - image: modules.dep.sqsh\n      metadata:\n        name: modules.dep\n"
                + "        version: " + kver + "\n        author: Talos Machinery\n"), yaml);

        String ucode = tools.run(Command.of("unsquashfs", "-l", out.resolve("0.sqsh").toString())).stdout();
        assertTrue(!ucode.contains("firmware"), "microcode and firmware leave the squashfs: " + ucode);
        String module = tools.run(Command.of("unsquashfs", "-l", out.resolve("1.sqsh").toString())).stdout();
        assertTrue(module.contains("usr/lib/modules/" + kver + "/extras/dummy.ko"), module);
        String schematic = tools.run(Command.of("unsquashfs", "-l", out.resolve("3.sqsh").toString())).stdout();
        assertTrue(schematic.contains("usr/local/share/schematic/" + id), schematic);
        String deps = tools.run(Command.of("unsquashfs", "-l", out.resolve("modules.dep.sqsh").toString())).stdout();
        assertTrue(deps.contains("usr/lib/modules/" + kver + "/modules.dep\n"), deps);
        assertTrue(!deps.contains(".ko"), "only modules.* index files: " + deps);
        Path depsDir = tmp.resolve("deps");
        tools.run(Command.of("unsquashfs", "-d", depsDir.toString(), out.resolve("modules.dep.sqsh").toString()));
        assertTrue(Files.readString(depsDir.resolve("usr/lib/modules/" + kver + "/modules.dep"))
                .contains("extras/dummy.ko:"), "depmod indexed the extension's module");
    }

    @Test
    void beforeTalos18TheExtensionsSegmentIsXzWithCrc32() throws Exception {
        String version = StandinRelease.V1_7;
        String id = createSchematic(SCHEMATIC);
        byte[] all = Files.readAllBytes(download("/image/" + id + "/" + version + "/initramfs-amd64.xz", tmp.resolve("i.xz")));
        byte[] baseBytes = Files.readAllBytes(StandinRelease.version(version).resolve("usr/install/amd64/initramfs.xz"));
        int at = indexOf(all, baseBytes);
        assertTrue(at > 0, "the base initramfs follows the microcode cpio");
        Path third = Files.write(tmp.resolve("third.xz"), Arrays.copyOfRange(all, at + baseBytes.length, all.length));
        String info = tools.run(Command.of("xz", "--robot", "--list", third.toString())).stdout();
        assertTrue(info.lines().anyMatch(l -> l.startsWith("file\t") && l.contains("\tCRC32\t")), info);
        Path cpio = tmp.resolve("third.cpio");
        tools.run(Command.of("xz", "-d", "-c").stdinFrom(third).stdoutTo(cpio));
        List<String> entries = lines(tools.run(Command.of("cpio", "-t", "--quiet").stdinFrom(cpio)).stdout());
        assertTrue(entries.contains("lib/firmware/standin/demo-firmware.bin"), "firmware under /lib before 1.10: " + entries);
        assertTrue(entries.contains("modules.dep.sqsh") && entries.contains("extensions.yaml"), entries.toString());
    }

    @Test
    void pxeScriptsMatchTheReferenceTemplates() {
        String id = createSchematic(SCHEMATIC);
        String v = StandinRelease.V1_11;
        String cmdline = EXPECTED_CMDLINE.get(v);
        given().get("/pxe/" + id + "/" + v + "/metal-x86_64").then().statusCode(200)
                .body(equalTo("#!ipxe\n\nimgfree\nkernel http://pxe.example:8080/image/" + id + "/" + v
                        + "/kernel-amd64 " + cmdline + "\ninitrd http://pxe.example:8080/image/" + id + "/" + v
                        + "/initramfs-amd64.xz\nboot\n"));
        String secure = given().get("/image/" + id + "/" + v + "/cmdline-metal-amd64-secureboot").then()
                .statusCode(200).extract().asString();
        assertTrue(secure.contains(" lockdown=confidentiality talos.environment="), secure);
        given().get("/pxe/" + id + "/" + v.substring(1) + "/metal-amd64-secureboot").then().statusCode(200)
                .body(equalTo("#!ipxe\n\nimgfree\nkernel http://pxe.example:8080/image/" + id + "/" + v
                        + "/metal-amd64-secureboot-uki.efi " + secure + "\nboot\n"));
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        String id = createSchematic(SCHEMATIC);
        String v = StandinRelease.V1_11;
        String unknownExtension = createSchematic("customization:\n  systemExtensions:\n    officialExtensions: [siderolabs/gvisor]\n");
        given().get("/image/" + unknownExtension + "/" + v + "/initramfs-amd64.xz").then().statusCode(400)
                .body(containsString("official extension \"siderolabs/gvisor\" is not available for Talos version"));
        given().get("/image/" + id + "/" + v + "/cmdline-foo-amd64").then().statusCode(400)
                .body(containsString("unknown platform \"foo\""));
        given().get("/image/" + id + "/" + v + "/kernel-mips").then().statusCode(400)
                .body(containsString("invalid architecture"));
        given().get("/image/" + id + "/1.11/kernel-amd64").then().statusCode(400)
                .body(containsString("invalid Talos version"));
        given().get("/image/" + id + "/v1.9.0/kernel-amd64").then().statusCode(404)
                .body(containsString("version 1.9.0 is not available"));
        given().get("/image/" + "0".repeat(64) + "/" + v + "/kernel-amd64").then().statusCode(404);
        given().get("/image/" + id + "/" + v + "/metal-amd64.xz").then().statusCode(400) // a disk image needs its format
                .body(containsString("invalid profile path"));
        String withConfig = createSchematic("customization:\n  embeddedMachineConfiguration: |\n    version: v1alpha1\n");
        given().get("/image/" + withConfig + "/" + v + "/initramfs-amd64.xz").then().statusCode(400)
                .body(containsString("embedding configuration is not supported for Talos version"));
        given().get("/image/" + withConfig + "/" + v + "/cmdline-metal-amd64").then().statusCode(200);
    }

    @Test
    void concurrentColdRequestsShareOneBuildAndRangesWork() throws Exception {
        // its own schematic, so the initramfs is cold whatever ran before
        String id = createSchematic(SCHEMATIC.replace("    - -pti\n", "    - -pti\n    - concurrency.test=1\n"));
        String path = "/image/" + id + "/" + StandinRelease.V1_11 + "/initramfs-amd64.xz";
        double before = builtCount("initramfs");
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            calls.add(() -> sha256(given().get(path).then().statusCode(200).extract().asByteArray()));
        }
        Set<String> bodies;
        try {
            List<Future<String>> results = pool.invokeAll(calls);
            bodies = results.stream().map(f -> {
                try {
                    return f.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).collect(Collectors.toSet());
        } finally {
            pool.shutdown();
        }
        assertEquals(1, bodies.size(), "32 identical bodies");
        assertEquals(1.0, builtCount("initramfs") - before, "exactly one initramfs build");

        byte[] whole = given().get(path).then().statusCode(200).extract().asByteArray();
        String etag = given().head(path).then().statusCode(200)
                .header("Content-Length", String.valueOf(whole.length))
                .header("Accept-Ranges", "bytes").extract().header("ETag");
        assertEquals("\"" + sha256(whole) + "\"", etag);
        byte[] part = given().header("Range", "bytes=1000-4999").get(path).then().statusCode(206)
                .header("Content-Range", "bytes 1000-4999/" + whole.length).extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(whole, 1000, 5000), part);
        given().header("Range", "bytes=" + whole.length + "-").get(path).then().statusCode(416);
        given().get(path + ".sha256").then().statusCode(200)
                .body(equalTo(sha256(whole) + "  initramfs-amd64.xz\n"));
        given().queryParam("filename", "boot me.xz").get(path).then().statusCode(200)
                .header("Content-Disposition", containsString("filename=\"boot me.xz\""));
    }

    @Test
    void aSecondSchematicWithTheSameExtensionsReusesTheirSquashfs() {
        String first = createSchematic(SCHEMATIC.replace("    - -pti\n", "    - -pti\n    - reuse.test=1\n"));
        given().get("/image/" + first + "/" + StandinRelease.V1_7 + "/initramfs-amd64.xz").then().statusCode(200);
        double squashed = builtCount("extension-squashfs");
        String second = createSchematic(SCHEMATIC.replace("    - -pti\n", "    - -pti\n    - reuse.test=2\n"));
        given().get("/image/" + second + "/" + StandinRelease.V1_7 + "/initramfs-amd64.xz").then().statusCode(200);
        assertEquals(1.0, builtCount("extension-squashfs") - squashed,
                "only the schematic extension (it names the schematic) is squashed again");
    }

    static double builtCount(String kind) {
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith("image_factory_assets_built_total{") && l.contains("output_kind=\"" + kind + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(field == null ? n.asText() : n.get(field).asText()));
        return out;
    }

    private static List<String> lines(String text) {
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < Math.min(needle.length, 4096); j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return Arrays.equals(Arrays.copyOfRange(haystack, i, i + needle.length), needle) ? i : -1;
        }
        return -1;
    }
}
