package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.build.uki.PeFile;
import dev.imagefactory.catalog.ExtensionManifestParser;
import dev.imagefactory.catalog.OfficialExtension;
import dev.imagefactory.catalog.OfficialOverlay;
import dev.imagefactory.catalog.OverlayManifestParser;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.OciLayout;
import dev.imagefactory.signing.CosignVerifier;
import dev.imagefactory.signing.SignatureSource;
import dev.imagefactory.signing.VerificationKey;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.yaml.snakeyaml.Yaml;
import org.junit.jupiter.api.Tag;

/**
 * The stand-in release built by scripts/build-standin-release: its files have the upstream imager layout (talos-imager.md
 * §1.1, §1.3, §1.5), its base initramfs boots in QEMU, and its init mounts and reports system extensions when the
 * initramfs is extended the way §2.3-§2.6 describe (assembled here by hand, without the factory).
 */
@Tag("slow")
class StandinReleaseTest {

    static final List<String> VERSIONS = StandinRelease.VERSIONS;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> EXTENSIONS = List.of("dummy-module", "intel-ucode", "usr-local-tools");
    private static final List<String> ARCHES = List.of("amd64", "arm64");
    /** ELF e_machine per architecture: EM_X86_64, EM_AARCH64. */
    private static final Map<String, Integer> ELF_MACHINE = Map.of("amd64", 62, "arm64", 183);

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path tmp;

    /** Version quirks (talos-imager.md §0.1) as the stand-in applies them. */
    record Quirks(String modules, String firmware, boolean zstd, String compatibility) {
        static Quirks of(String version) {
            return switch (version) {
                case StandinRelease.V1_11 -> new Quirks("usr/lib/modules", "usr/lib/firmware", true, ">= v1.11.0");
                case StandinRelease.V1_12 -> new Quirks("usr/lib/modules", "usr/lib/firmware", true, ">= v1.12.0");
                default -> new Quirks("lib/modules", "lib/firmware", false, ">= v1.7.0");
            };
        }
    }

    @BeforeAll
    static void buildRelease() {
        StandinRelease.ensure();
    }

    @ParameterizedTest
    @FieldSource("VERSIONS")
    void bootFilesHaveTheImagerLayout(String version) throws Exception {
        Path amd64 = StandinRelease.version(version).resolve("usr/install/amd64");
        Quirks quirks = Quirks.of(version);
        assertArrayEquals("HdrS".getBytes(StandardCharsets.US_ASCII), bytes(amd64.resolve("vmlinuz"), 0x202, 4),
                "vmlinuz is a bzImage");
        assertArrayEquals(new byte[] {'M', 'Z'}, bytes(amd64.resolve("systemd-stub.efi"), 0, 2));
        assertArrayEquals(new byte[] {'M', 'Z'}, bytes(amd64.resolve("systemd-boot.efi"), 0, 2));
        assertTrue(Files.readString(StandinRelease.version(version).resolve("README")).contains("THIS IS NOT TALOS"));

        byte[] magic = bytes(amd64.resolve("initramfs.xz"), 0, 4);
        assertArrayEquals(quirks.zstd() ? new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}
                : new byte[] {(byte) 0xfd, '7', 'z', 'X'}, magic, "initramfs compression");
        Path cpio = decompressInitramfs(version);
        List<String> entries = tools.run(Command.of("cpio", "-it", "--quiet").stdinFrom(cpio)).stdout().lines().toList();
        assertTrue(entries.containsAll(List.of("init", "rootfs.sqsh", "bin/busybox")), entries.toString());

        Path rootfs = extractRootfs(version);
        assertTrue(tools.run(Command.of("unsquashfs", "-s", rootfs.toString())).stdout()
                .contains("Compression " + (quirks.zstd() ? "zstd" : "xz")));
        List<String> listing = tools.run(Command.of("unsquashfs", "-lls", "-d", "", rootfs.toString())).stdout()
                .lines().toList();
        String kver = kernelVersion(version);
        assertTrue(listing.stream().anyMatch(l -> l.endsWith(" /" + quirks.modules() + "/" + kver + "/modules.dep")),
                "modules.dep in the base rootfs");
        assertTrue(listing.stream().noneMatch(l -> l.endsWith(".ko")), "no .ko files in the base rootfs");
        assertTrue(listing.stream().anyMatch(l -> l.endsWith(" /etc/os-release")));
        if (quirks.modules().startsWith("usr/")) {
            assertTrue(listing.stream().anyMatch(l -> l.endsWith(" /lib -> usr/lib")), "usr-merged rootfs");
        }
    }

    @ParameterizedTest
    @FieldSource("VERSIONS")
    void extensionImagesMatchTheManifest(String version) throws Exception {
        Path release = StandinRelease.version(version);
        Quirks quirks = Quirks.of(version);
        String digests = Files.readString(release.resolve("extensions/image-digests"));
        List<OfficialExtension> listed = ExtensionManifestParser.parse(digests,
                Files.readString(release.resolve("extensions/descriptions.yaml")), release.toString());
        assertEquals(EXTENSIONS.stream().map(n -> "standin/" + n).toList(),
                listed.stream().map(OfficialExtension::name).toList());
        String kver = kernelVersion(version);
        for (OfficialExtension extension : listed) {
            assertTrue(extension.description().contains("NOT a Talos extension"), extension.description());
            Path layout = release.resolve("extension-images").resolve(extension.name());
            assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(layout.resolve("oci-layout")));
            JsonNode descriptor = JSON.readTree(layout.resolve("index.json").toFile()).get("manifests").get(0);
            assertEquals(extension.digest(), descriptor.get("digest").asText(), "image-digests line = index.json");
            assertEquals("application/vnd.oci.image.index.v1+json", descriptor.get("mediaType").asText());
            assertEquals(extension.ref().tag(), descriptor.at("/annotations/org.opencontainers.image.ref.name").asText());
            JsonNode index = JSON.readTree(blob(layout, descriptor));
            assertEquals(List.of("amd64", "arm64"), index.get("manifests").findValuesAsText("architecture"));
            for (String arch : ARCHES) {
                JsonNode manifest = platformManifest(layout, arch);
                assertEquals("application/vnd.oci.image.manifest.v1+json", manifest.get("mediaType").asText());
                JsonNode config = JSON.readTree(blob(layout, manifest.get("config")));
                assertEquals(arch, config.get("architecture").asText());
                assertEquals("linux", config.get("os").asText());
                assertEquals(1, manifest.get("layers").size());
                byte[] tar = gunzip(blob(layout, manifest.get("layers").get(0)));
                assertEquals(config.at("/rootfs/diff_ids/0").asText(), "sha256:" + sha256(tar));

                Map<String, byte[]> files = untar(tar);
                TreeSet<String> top = new TreeSet<>();
                files.keySet().forEach(name -> top.add(name.replaceFirst("/.*", "")));
                assertEquals(List.of("manifest.yaml", "rootfs"), List.copyOf(top), extension.name());
                Map<String, Object> yaml = new Yaml().load(new String(files.get("manifest.yaml"), StandardCharsets.UTF_8));
                assertEquals("v1alpha1", yaml.get("version"));
                @SuppressWarnings("unchecked")
                Map<String, Object> metadata = (Map<String, Object>) yaml.get("metadata");
                assertEquals(extension.name().substring("standin/".length()), metadata.get("name"));
                assertEquals(extension.ref().tag(), metadata.get("version"));
                assertEquals(Map.of("talos", Map.of("version", quirks.compatibility())), metadata.get("compatibility"));
                String expected = switch (metadata.get("name").toString()) {
                    case "intel-ucode" -> "rootfs/" + quirks.firmware() + "/intel-ucode/06-8e-09";
                    case "dummy-module" -> "rootfs/" + quirks.modules() + "/" + kernelVersion(version, arch)
                            + "/extras/dummy.ko";
                    default -> "rootfs/usr/local/bin/standin-hello";
                };
                assertTrue(files.containsKey(expected), expected + " in " + files.keySet());
                if (expected.endsWith(".ko")) {
                    assertEquals(ELF_MACHINE.get(arch), elfMachine(files.get(expected)), arch + " dummy.ko");
                }
            }
        }
    }

    /** extra-extensions/: an extra manifest in the official format listing one custom extension, its image beside it. */
    @ParameterizedTest
    @FieldSource("VERSIONS")
    void theExtraManifestListsOneCustomExtensionWithItsImage(String version) throws Exception {
        Path extra = StandinRelease.version(version).resolve("extra-extensions");
        List<OfficialExtension> listed = ExtensionManifestParser.parse(Files.readString(extra.resolve("image-digests")),
                Files.readString(extra.resolve("descriptions.yaml")), extra.toString());
        assertEquals(1, listed.size(), listed.toString());
        OfficialExtension custom = listed.get(0);
        assertEquals("acme/custom-hello", custom.name());
        assertEquals("registry.acme.example/acme/custom-hello:1.0.0", custom.ref().toString());
        assertEquals("Acme Corp (stand-in)", custom.author());
        assertTrue(custom.description().contains("NOT a Talos extension"), custom.description());
        Path layout = extra.resolve("extension-images/acme/custom-hello");
        JsonNode descriptor = JSON.readTree(layout.resolve("index.json").toFile()).get("manifests").get(0);
        assertEquals(custom.digest(), descriptor.get("digest").asText(), "image-digests line = index.json");
        for (String arch : ARCHES) {
            JsonNode manifest = platformManifest(layout, arch);
            assertEquals(arch, JSON.readTree(blob(layout, manifest.get("config"))).get("architecture").asText());
            Map<String, byte[]> files = untar(gunzip(blob(layout, manifest.get("layers").get(0))));
            assertEquals("Hello from acme/custom-hello, a custom extension of the stand-in release.\n",
                    new String(files.get("rootfs/usr/local/share/acme/custom-hello.txt"), StandardCharsets.UTF_8));
            Map<String, Object> yaml = new Yaml().load(new String(files.get("manifest.yaml"), StandardCharsets.UTF_8));
            @SuppressWarnings("unchecked")
            Map<String, Object> metadata = (Map<String, Object>) yaml.get("metadata");
            assertEquals("custom-hello", metadata.get("name"));
            assertEquals("1.0.0", metadata.get("version"));
            assertEquals(Map.of("talos", Map.of("version", Quirks.of(version).compatibility())), metadata.get("compatibility"));
        }
    }

    @ParameterizedTest
    @FieldSource("VERSIONS")
    void arm64BootFilesAreArm64(String version) throws Exception {
        Path arm64 = StandinRelease.version(version).resolve("usr/install/arm64");
        assertArrayEquals("ARM\u0064".getBytes(StandardCharsets.US_ASCII), bytes(arm64.resolve("vmlinuz"), 0x38, 4),
                "vmlinuz is an uncompressed arm64 Image");
        for (String file : List.of("vmlinuz", "systemd-stub.efi", "systemd-boot.efi")) {
            PeFile pe = PeFile.read(arm64.resolve(file));
            assertEquals(0xaa64, pe.machine(), file + " is an AArch64 PE image");
            assertEquals(0, pe.numberOfSymbols(), file + " has no COFF symbols");
        }
        PeFile amd64Stub = PeFile.read(StandinRelease.version(version).resolve("usr/install/amd64/systemd-stub.efi"));
        assertEquals(0x8664, amd64Stub.machine());
        assertEquals(0, amd64Stub.numberOfSymbols(), "the amd64 stub's COFF symbols were dropped");

        Path cpio = decompressInitramfs(version, "arm64");
        List<String> entries = tools.run(Command.of("cpio", "-it", "--quiet").stdinFrom(cpio)).stdout().lines().toList();
        assertTrue(entries.containsAll(List.of("init", "rootfs.sqsh", "bin/busybox")), entries.toString());
        assertTrue(entries.stream().filter(e -> e.endsWith(".ko")).count() >= 3, entries.toString());
        Path rootfs = extractRootfs(version, "arm64");
        assertEquals(ELF_MACHINE.get("arm64"), elfMachine(Files.readAllBytes(rootfs.resolveSibling("bin/busybox"))),
                "arm64 busybox in the initramfs");
        String kver = kernelVersion(version, "arm64");
        assertTrue(kver.endsWith("-arm64"), kver);
        assertEquals(kernelVersion(version).replace("-amd64", "-arm64"), kver, "the same kernel ABI as amd64");
    }

    @ParameterizedTest
    @FieldSource("VERSIONS")
    void overlayImageHasTheOverlayLayout(String version) throws Exception {
        Path release = StandinRelease.version(version);
        if (version.equals(StandinRelease.V1_7)) {
            assertTrue(Files.notExists(release.resolve("overlays")) && Files.notExists(release.resolve("overlay-images")),
                    "the 1.7 stand-in has no overlay");
            return;
        }
        List<OfficialOverlay> overlays = OverlayManifestParser.parse(
                Files.readString(release.resolve("overlays/overlays.yaml")), release.toString());
        assertEquals(1, overlays.size(), overlays.toString());
        OfficialOverlay overlay = overlays.get(0);
        assertEquals("standin-board", overlay.name());
        assertEquals("standin/sbc-standin", overlay.image());
        Path layout = release.resolve("overlay-images").resolve(overlay.image());
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(layout.resolve("oci-layout")));
        JsonNode descriptor = JSON.readTree(layout.resolve("index.json").toFile()).get("manifests").get(0);
        assertEquals(overlay.digest(), descriptor.get("digest").asText(), "overlays.yaml digest = index.json");
        assertEquals(overlay.ref().tag(), descriptor.at("/annotations/org.opencontainers.image.ref.name").asText());
        assertEquals(List.of("amd64", "arm64"),
                JSON.readTree(blob(layout, descriptor)).get("manifests").findValuesAsText("architecture"));
        for (String arch : ARCHES) {
            JsonNode manifest = platformManifest(layout, arch);
            assertEquals(1, manifest.get("layers").size());
            byte[] tar = gunzip(blob(layout, manifest.get("layers").get(0)));
            Map<String, TarArchiveEntry> entries = tarEntries(tar);
            Map<String, byte[]> files = untar(tar);
            assertEquals(0755, entries.get("installers/standin-board").getMode() & 07777, "installer is executable");
            String installer = new String(files.get("installers/standin-board"), StandardCharsets.UTF_8);
            assertTrue(installer.startsWith("#!/bin/sh\n") && installer.contains("(" + arch + ")"), installer);
            // the board is arm64 (QEMU's virt machine): both platform images carry its payload, like Talos' SBC overlays
            assertEquals("STANDIN BOOT FIRMWARE arm64\n",
                    new String(files.get("artifacts/arm64/firmware/boot.bin"), StandardCharsets.UTF_8));
            String uboot = new String(files.get("artifacts/arm64/u-boot/standin-board/u-boot.bin"),
                    StandardCharsets.ISO_8859_1);
            assertTrue(uboot.contains("U-Boot 2023.01"), "Debian's u-boot-qemu build for qemu_arm64");
            String profile = new String(files.get("profiles/standin-board.yaml"), StandardCharsets.UTF_8);
            assertEquals(arch, ((Map<?, ?>) new Yaml().load(profile)).get("arch"), profile);
            Path sh = tmp.resolve("overlay-" + arch);
            Files.write(sh, files.get("installers/standin-board"));
            assertEquals("name: standin-board\nkernelArgs:\n    - console=ttyAMA0,115200\npartitionOptions:\n"
                    + "    offset: 2048\n", tools.run(Command.of("sh", sh.toString(), "get-options")).stdout());
        }
    }

    /** Issue 17: a toy talosctl per OS and arch, as files and as upstream's talosctl-all image holding them. */
    @ParameterizedTest
    @FieldSource("VERSIONS")
    void talosctlIsAToyForEveryOsAndArchAsFilesAndAsATalosctlAllImage(String version) throws Exception {
        Path release = StandinRelease.version(version);
        List<String> names = new ArrayList<>();
        for (String os : List.of("darwin", "linux", "windows")) {
            for (String arch : ARCHES) {
                names.add("talosctl-" + os + "-" + arch + (os.equals("windows") ? ".exe" : ""));
            }
        }
        assertEquals(names, sortedChildren(release.resolve("talosctl")).stream().map(p -> p.getFileName().toString()).toList());
        String said = tools.run(Command.of("sh", release.resolve("talosctl/talosctl-linux-amd64").toString())).stdout();
        assertEquals("talosctl stand-in " + version + " for linux/amd64 (NOT talosctl)\n", said);

        Path layout = release.resolve("talosctl-all");
        assertEquals(version, JSON.readTree(layout.resolve("index.json").toFile())
                .at("/manifests/0/annotations/org.opencontainers.image.ref.name").asText());
        JsonNode manifest = platformManifest(layout, "amd64");
        assertEquals(1, manifest.get("layers").size());
        Map<String, TarArchiveEntry> entries = tarEntries(gunzip(blob(layout, manifest.get("layers").get(0))));
        assertEquals(names, new ArrayList<>(entries.keySet()), "the binaries at the image root, sorted");
        Map<String, byte[]> files = untar(gunzip(blob(layout, manifest.get("layers").get(0))));
        for (String name : names) {
            assertEquals(0755, entries.get(name).getMode() & 0777, name);
            assertArrayEquals(Files.readAllBytes(release.resolve("talosctl").resolve(name)), files.get(name), name);
        }
    }

    @ParameterizedTest
    @FieldSource("VERSIONS")
    void installerImageHasTheBaseImageLayout(String version) throws Exception {
        boolean unified = !version.equals(StandinRelease.V1_7);   // Talos >= 1.10: installer-base, else installer
        Path release = StandinRelease.version(version);
        Path layout = release.resolve(unified ? "installer-base" : "installer");
        assertTrue(Files.notExists(release.resolve(unified ? "installer" : "installer-base")));
        assertEquals(version, JSON.readTree(layout.resolve("index.json").toFile())
                .at("/manifests/0/annotations/org.opencontainers.image.ref.name").asText());
        byte[] firstLayer = null;
        for (String arch : ARCHES) {
            JsonNode manifest = platformManifest(layout, arch);
            JsonNode config = JSON.readTree(blob(layout, manifest.get("config")));
            assertEquals(arch, config.get("architecture").asText());
            assertEquals("linux", config.get("os").asText());
            assertEquals("2019-06-01T21:34:52Z", config.get("created").asText(), "SOURCE_DATE_EPOCH");
            List<String> env = texts(config.at("/config/Env"));
            assertEquals(3, env.size(), env.toString());
            assertTrue(env.get(0).startsWith("PATH=/"), env.toString());
            assertEquals(List.of("VERSION=" + version, "TARGETARCH=" + arch), env.subList(1, 3));
            assertEquals(version, config.at("/config/Labels/alpha.talos.dev~1version").asText());
            assertEquals(List.of("/bin/installer"), texts(config.at("/config/Entrypoint")));
            JsonNode layers = manifest.get("layers");
            assertEquals(unified ? 1 : 2, layers.size(), "layers of " + layout + " " + arch);
            assertEquals(layers.size(), config.at("/rootfs/diff_ids").size());
            for (int i = 0; i < layers.size(); i++) {
                assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", layers.get(i).get("mediaType").asText());
                byte[] tar = gunzip(blob(layout, layers.get(i)));
                assertEquals(config.at("/rootfs/diff_ids/" + i).asText(), "sha256:" + sha256(tar));
            }

            byte[] tar = gunzip(blob(layout, layers.get(0)));
            Map<String, TarArchiveEntry> entries = tarEntries(tar);
            assertEquals(List.of("bin", "usr", "usr/bin", "usr/bin/installer"), List.copyOf(new TreeSet<>(entries.keySet())));
            assertTrue(entries.get("bin").isSymbolicLink() && entries.get("bin").getLinkName().equals("usr/bin"));
            assertEquals(0755, entries.get("usr/bin/installer").getMode() & 07777, "installer is executable");
            String script = new String(untar(tar).get("usr/bin/installer"), StandardCharsets.UTF_8);
            assertTrue(script.startsWith("#!/bin/sh\n") && script.contains("NOT TALOS"), script);
            if (firstLayer != null) {
                assertArrayEquals(firstLayer, tar, "the installer layer is the same for every architecture");
            }
            firstLayer = tar;
            if (!unified) {
                Map<String, byte[]> assets = untar(gunzip(blob(layout, layers.get(1))));
                Path boot = release.resolve("usr/install/" + arch);
                assertArrayEquals(Files.readAllBytes(boot.resolve("vmlinuz")), assets.get("usr/install/" + arch + "/vmlinuz"));
                assertArrayEquals(Files.readAllBytes(boot.resolve("initramfs.xz")),
                        assets.get("usr/install/" + arch + "/initramfs.xz"));
            }
        }
        Path sh = tmp.resolve("installer");
        Files.write(sh, untar(firstLayer).get("usr/bin/installer"));
        String said = tools.run(Command.of("sh", sh.toString())
                .withEnv(Map.of("VERSION", version, "TARGETARCH", "arm64")))
                .stdout();
        assertTrue(said.startsWith("Talos stand-in installer (NOT Talos) " + version + " for arm64\n"), said);
    }

    @ParameterizedTest
    @FieldSource("VERSIONS")
    void baseReleaseBootsAndReports(String version) throws Exception {
        Path amd64 = StandinRelease.version(version).resolve("usr/install/amd64");
        String cmdline = "console=ttyS0 talos.platform=metal";
        Path log = tmp.resolve("serial.log");
        JsonNode report = Qemu.kernelBoot(amd64.resolve("vmlinuz"), amd64.resolve("initramfs.xz"), cmdline)
                .serialLog(log).run();
        System.out.println(version + " base boot: " + report);

        assertEquals(cmdline, report.get("cmdline").asText());
        assertEquals(kernelVersion(version), report.get("kernelRelease").asText());
        assertTrue(report.get("mounted").asBoolean(), report.toString());
        assertEquals("[]", report.get("extensions").toString());
        assertEquals("[]", report.get("errors").toString(), report.toString());
        assertEquals("[]", report.get("modules").toString());
        assertTrue(report.get("meta").isNull());
        assertEquals(1, reportLines(log), "one report line when /dev/console is the serial port");
    }

    @ParameterizedTest
    @FieldSource("VERSIONS")
    void extensionsAddedAsTheFactoryDoesAreMountedAndReported(String version) throws Exception {
        Quirks quirks = Quirks.of(version);
        Path initramfs = assembleInitramfs(version, List.of("intel-ucode", "dummy-module", "usr-local-tools"));
        // 1.7 gets the plain META encoding and its metal console args; 1.11 a gzip'ed value (> 256 bytes) and
        // console=tty0 only, so the report must reach the serial port without the kernel console on it.
        String meta;
        String b64;
        String cmdline;
        if (quirks.zstd()) {
            meta = "0xa={\"externalIPs\":[\"1.2.3.4\"],\"note\":\"caf\u00e9 \\\\ tab\there\"}\n"
                    + "0xc=" + "x".repeat(300);
            b64 = Base64.getEncoder().encodeToString(gzip(meta.getBytes(StandardCharsets.UTF_8)));
            cmdline = "talos.platform=metal console=tty0";
        } else {
            meta = "0xa={\"externalIPs\":[\"1.2.3.4\"]}";
            b64 = Base64.getEncoder().encodeToString(meta.getBytes(StandardCharsets.UTF_8));
            cmdline = "talos.platform=metal console=ttyS0 console=tty0";
        }
        cmdline += " talos.environment=INSTALLER_META_BASE64=" + b64;
        if (version.equals(StandinRelease.V1_12)) {
            // Talos >= 1.12 enforces module signatures by default; Debian's dummy.ko is signed by Debian's key,
            // which Debian's kernel trusts, so the extension's module must still load
            cmdline += " module.sig_enforce=1";
        }
        Path amd64 = StandinRelease.version(version).resolve("usr/install/amd64");
        Path log = tmp.resolve("serial.log");
        JsonNode report = Qemu.kernelBoot(amd64.resolve("vmlinuz"), initramfs, cmdline).serialLog(log).run();
        System.out.println(version + " boot with extensions: " + report);
        assertEquals(1, reportLines(log), "one report line on the serial port");

        String kver = kernelVersion(version);
        assertEquals("[]", report.get("errors").toString(), report.toString());
        assertEquals(cmdline, report.get("cmdline").asText());
        assertEquals(kver, report.get("kernelRelease").asText());
        assertTrue(report.get("mounted").asBoolean());
        assertEquals(JSON.readTree("""
                [{"image":"0.sqsh","name":"intel-ucode","version":"20250812-debian.1"},
                 {"image":"1.sqsh","name":"dummy-module","version":"%s-%s"},
                 {"image":"2.sqsh","name":"usr-local-tools","version":"1.0.0-debian.1"},
                 {"image":"modules.dep.sqsh","name":"modules.dep","version":"%s"}]""".formatted(kver, version, kver)),
                report.get("extensions"));
        assertEquals("[\"GenuineIntel.bin\"]", report.get("microcode").toString());
        assertEquals("[\"standin/demo-firmware.bin\"]", report.get("firmware").toString());
        assertEquals("[\"dummy\"]", report.get("modules").toString());
        assertEquals("[\"bin/standin-hello\",\"share/standin/hello.txt\"]", report.get("usrLocal").toString());
        assertEquals(meta, report.get("meta").asText());
        assertEquals(false, report.get("secureBoot").asBoolean());
    }

    // --- the factory's initramfs rebuild (talos-imager.md §2.2-§2.6), by hand -----------------------------------

    private Path assembleInitramfs(String version, List<String> extensionOrder) throws Exception {
        Quirks quirks = Quirks.of(version);
        Path release = StandinRelease.version(version);
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path extensions = Files.createDirectories(tmp.resolve("extensions"));
        List<Map<String, Object>> layers = new ArrayList<>();

        for (int j = 0; j < extensionOrder.size(); j++) {
            Path layout = release.resolve("extension-images/standin").resolve(extensionOrder.get(j));
            JsonNode manifest = platformManifest(layout, "amd64");
            Path layer = tmp.resolve("layer.tar.gz");
            Files.write(layer, blob(layout, manifest.get("layers").get(0)));
            Path dir = Files.createDirectories(extensions.resolve(String.valueOf(j)));
            tools.run(Command.of("tar", "-xzf", layer.toString(), "-C", dir.toString()));
            Map<String, Object> yaml = new Yaml().load(Files.readString(dir.resolve("manifest.yaml")));
            @SuppressWarnings("unchecked")
            Map<String, Object> metadata = (Map<String, Object>) yaml.get("metadata");
            layers.add(Map.of("image", j + ".sqsh", "metadata", metadata));

            // §2.3: microcode is concatenated into the early cpio, firmware moves into the initramfs
            Path firmware = dir.resolve("rootfs").resolve(quirks.firmware());
            Path ucode = firmware.resolve("intel-ucode");
            if (Files.isDirectory(ucode)) {
                Path bin = Files.createDirectories(work.resolve("kernel/x86/microcode")).resolve("GenuineIntel.bin");
                for (Path file : sortedChildren(ucode)) {
                    Files.write(bin, Files.readAllBytes(file), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    Files.delete(file);
                }
            }
            if (Files.isDirectory(firmware)) {
                Path target = Files.createDirectories(work.resolve(quirks.firmware()));
                tools.run(Command.of("cp", "-a", firmware + "/.", target.toString()));
                tools.run(Command.of("rm", "-rf", firmware.toString()));
            }
        }

        // §2.4: depmod over the base rootfs's modules.* plus every extension's modules, as one more layer
        Path modules = tmp.resolve("modules");
        tools.run(Command.of("unsquashfs", "-no-xattrs", "-d", modules.toString(), "-f", "-n",
                extractRootfs(version).toString(), quirks.modules()));
        List<Path> kvers = sortedChildren(modules.resolve(quirks.modules()));
        assertEquals(1, kvers.size(), "one kernel version in the base rootfs");
        String kver = kvers.get(0).getFileName().toString();
        for (int j = 0; j < extensionOrder.size(); j++) {
            Path extensionModules = extensions.resolve(j + "/rootfs").resolve(quirks.modules()).resolve(kver);
            if (Files.isDirectory(extensionModules)) {
                tools.run(Command.of("cp", "-a", extensionModules + "/.", kvers.get(0).toString()));
            }
        }
        Path basedir = modules.resolve(quirks.modules()).getParent().getParent();
        tools.run(Command.of("depmod", "--all", "--basedir", basedir.toString(), kver));
        Path depLayer = Files.createDirectories(extensions.resolve("modules.dep/rootfs").resolve(quirks.modules())
                .resolve(kver));
        for (Path file : sortedChildren(kvers.get(0))) {
            if (Files.isRegularFile(file) && file.getFileName().toString().startsWith("modules.")) {
                Files.move(file, depLayer.resolve(file.getFileName()));
            }
        }
        layers.add(Map.of("image", "modules.dep.sqsh", "metadata", Map.of("name", "modules.dep", "version", kver,
                "author", "Talos Machinery", "description", "Combined modules.dep for all extensions",
                "compatibility", Map.of("talos", Map.of("version", "")))));

        // §2.3 step 3, then §2.5
        for (String dir : Stream.concat(Stream.iterate(0, j -> j + 1).limit(extensionOrder.size()).map(String::valueOf),
                Stream.of("modules.dep")).toList()) {
            List<String> squash = new ArrayList<>(List.of("mksquashfs", extensions.resolve(dir + "/rootfs").toString(),
                    work.resolve(dir + ".sqsh").toString(), "-all-root", "-noappend", "-no-progress"));
            squash.addAll(quirks.zstd() ? List.of("-comp", "zstd", "-Xcompression-level", "18")
                    : List.of("-comp", "xz", "-Xdict-size", "100%"));
            tools.run(Command.of(squash));
        }
        // go-yaml v4's layout (sequence at 4, metadata keys at 8) for 1.11; a 2-space layout for 1.7
        Files.writeString(work.resolve("extensions.yaml"),
                quirks.zstd() ? extensionsYaml(layers, 4, 8, 4) : extensionsYaml(layers, 2, 6, 2));

        // §2.6: [plain cpio of kernel/] + base + [compressed cpio of the rest]
        List<String> early = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        walk(work, work, early, rest);
        Path result = tmp.resolve("initramfs.xz");
        if (!early.isEmpty()) {
            cpio(work, early, result);
        }
        try (OutputStream out = Files.newOutputStream(result, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            Files.copy(release.resolve("usr/install/amd64/initramfs.xz"), out);
        }
        Path appended = tmp.resolve("appended.cpio");
        cpio(work, rest, appended);
        Path compressed = tmp.resolve("appended.cpio.compressed");
        tools.run(Command.of(quirks.zstd() ? List.of("zstd", "-T0", "-18", "-c", "--quiet")
                : List.of("xz", "-v", "-C", "crc32", "-0", "-e", "-T", "0", "-z", "--quiet"))
                .stdinFrom(appended).stdoutTo(compressed));
        try (OutputStream out = Files.newOutputStream(result, StandardOpenOption.APPEND)) {
            Files.copy(compressed, out);
        }
        return result;
    }

    /**
     * extensions.yaml shaped like go-yaml's output, with descriptions that contain "name:", "version:" and "- image:"
     * lines (in block scalars) so the init must follow the structure, not grep.
     */
    private static String extensionsYaml(List<Map<String, Object>> layers, int seq, int keys, int step) {
        String item = " ".repeat(seq);
        String in = " ".repeat(seq + 2);
        String k = " ".repeat(keys);
        String k2 = " ".repeat(keys + step);
        String k3 = " ".repeat(keys + 2 * step);
        StringBuilder yaml = new StringBuilder("layers:\n");
        int n = 0;
        for (Map<String, Object> layer : layers) {
            @SuppressWarnings("unchecked")
            Map<String, Object> metadata = (Map<String, Object>) layer.get("metadata");
            String name = metadata.get("name").toString();
            String version = metadata.get("version").toString();
            // vary the quoting like go-yaml would for values that need it
            name = n == 1 ? "\"" + name + "\"" : name;
            version = n == 0 ? "'" + version + "'" : version;
            yaml.append(item).append("- image: ").append(layer.get("image")).append('\n')
                    .append(in).append("metadata:\n")
                    .append(k).append("name: ").append(name).append('\n')
                    .append(k).append("version: ").append(version).append('\n')
                    .append(k).append("author: ").append(metadata.get("author")).append('\n')
                    .append(k).append("description: |\n")
                    .append(k2).append(metadata.get("description").toString().strip().replace("\n", "\n" + k2))
                    .append('\n')
                    .append(k2).append("name: not-the-name\n")
                    .append(k2).append("- image: not-a-layer.sqsh\n")
                    .append(k).append("compatibility:\n")
                    .append(k2).append("talos:\n")
                    .append(k3).append("version: '").append(compatibility(metadata)).append("'\n");
            if (n++ == 0) {
                yaml.append(k).append("extraInfo: |\n").append(k2).append("version: 0.0.0-not-the-version\n");
            }
        }
        return yaml.toString();
    }

    @SuppressWarnings("unchecked")
    private static String compatibility(Map<String, Object> metadata) {
        Map<String, Object> talos = (Map<String, Object>) ((Map<String, Object>) metadata.get("compatibility")).get("talos");
        return talos.get("version").toString();
    }

    /** Directories before their children, children in name order; kernel/ goes to the uncompressed list. */
    private static void walk(Path root, Path dir, List<String> early, List<String> rest) throws IOException {
        for (Path child : sortedChildren(dir)) {
            String relative = root.relativize(child).toString();
            (relative.equals("kernel") || relative.startsWith("kernel/") ? early : rest).add(relative);
            if (Files.isDirectory(child)) {
                walk(root, child, early, rest);
            }
        }
    }

    private void cpio(Path dir, List<String> entries, Path output) throws IOException {
        Path list = Files.writeString(tmp.resolve("cpio.list"), String.join("\n", entries) + "\n");
        tools.run(Command.of("cpio", "-H", "newc", "--create", "--reproducible", "--quiet", "-R", "+0:+0")
                .in(dir).stdinFrom(list).stdoutTo(output));
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private Path decompressInitramfs(String version) {
        return decompressInitramfs(version, "amd64");
    }

    private Path decompressInitramfs(String version, String arch) {
        Path cpio = tmp.resolve(version + "." + arch + ".cpio");
        if (!Files.exists(cpio)) {
            Path initramfs = StandinRelease.version(version).resolve("usr/install/" + arch + "/initramfs.xz");
            tools.run(Command.of(Quirks.of(version).zstd() ? "zstd" : "xz", "-dc").stdinFrom(initramfs).stdoutTo(cpio));
        }
        return cpio;
    }

    /** The base rootfs.sqsh, extracted from the release's initramfs (as §2.4 step 1 does). */
    private Path extractRootfs(String version) throws IOException {
        return extractRootfs(version, "amd64");
    }

    private Path extractRootfs(String version, String arch) throws IOException {
        Path dir = tmp.resolve(version + "." + arch + ".base");
        if (!Files.exists(dir.resolve("rootfs.sqsh"))) {
            Files.createDirectories(dir);
            tools.run(Command.of("cpio", "-id", "--quiet", "rootfs.sqsh", "bin/busybox").in(dir)
                    .stdinFrom(decompressInitramfs(version, arch)));
        }
        return dir.resolve("rootfs.sqsh");
    }

    /** The one kernel version directory below the base rootfs's modules path. */
    private String kernelVersion(String version) throws IOException {
        return kernelVersion(version, "amd64");
    }

    private String kernelVersion(String version, String arch) throws IOException {
        String prefix = "/" + Quirks.of(version).modules() + "/";
        List<String> versions = tools.run(Command.of("unsquashfs", "-l", "-d", "", extractRootfs(version, arch).toString()))
                .stdout().lines()
                .filter(l -> l.startsWith(prefix) && l.indexOf('/', prefix.length()) < 0)
                .map(l -> l.substring(prefix.length()))
                .toList();
        assertEquals(1, versions.size(), "kernel versions below " + prefix + ": " + versions);
        return versions.get(0);
    }

    /**
     * Issue 19: every OCI layout of the release (extensions, overlay, installer base, talosctl-all) carries a cosign
     * signature of the image index.json names, made with the stand-in key for the image's repository, which
     * {@link CosignVerifier} accepts; the public key written next to the releases is that key's.
     */
    @ParameterizedTest
    @FieldSource("VERSIONS")
    void everyImageLayoutIsSignedWithTheStandinKey(String version) throws Exception {
        Path release = StandinRelease.version(version);
        List<VerificationKey> keys = List.of(VerificationKey.load(release.resolveSibling("cosign.pub"), "test"));
        assertEquals(Files.readString(Path.of("scripts/standin-cosign.pub")),
                Files.readString(release.resolveSibling("cosign.pub")));
        Map<Path, String> layouts = new java.util.LinkedHashMap<>();
        try (Stream<Path> extensions = Files.list(release.resolve("extension-images/standin"))) {
            extensions.forEach(dir -> layouts.put(dir, "standin/" + dir.getFileName()));
        }
        if (Files.isDirectory(release.resolve("overlay-images"))) {
            layouts.put(release.resolve("overlay-images/standin/sbc-standin"), "standin/sbc-standin");
        }
        for (String component : List.of("installer-base", "installer", "talosctl-all")) {
            if (Files.isDirectory(release.resolve(component))) {
                layouts.put(release.resolve(component), "siderolabs/" + component);
            }
        }
        assertTrue(layouts.size() >= 5, layouts.toString());
        for (Map.Entry<Path, String> layout : layouts.entrySet()) {
            OciLayout open = OciLayout.open(layout.getKey());
            assertEquals(1, open.index().manifests().size(), layout.getKey().toString());
            Digest image = open.index().manifests().get(0).digest();
            SignatureSource source = new SignatureSource() {
                @Override
                public java.util.Optional<byte[]> manifest(String tag) throws IOException {
                    return open.signatureManifest(tag);
                }

                @Override
                public byte[] blob(dev.imagefactory.oci.Descriptor descriptor) throws IOException {
                    return open.readDocument(descriptor);
                }
            };
            assertEquals(java.util.Optional.empty(), CosignVerifier.check(source, "localhost/" + layout.getValue(),
                    image, keys), layout.getKey().toString());
        }
    }

    /** The image manifest for linux/{@code arch} in a layout whose index.json names one multi-platform index. */
    private static JsonNode platformManifest(Path layout, String arch) throws IOException {
        JsonNode root = JSON.readTree(layout.resolve("index.json").toFile()).get("manifests");
        // one tagged image, plus its cosign signature (issue 19, see everyImageLayoutIsSignedWithTheStandinKey)
        assertEquals(2, root.size(), "one tagged image and its signature in " + layout);
        JsonNode index = JSON.readTree(blob(layout, root.get(0)));
        for (JsonNode entry : index.get("manifests")) {
            if (entry.at("/platform/architecture").asText().equals(arch)) {
                assertEquals("linux", entry.at("/platform/os").asText());
                return JSON.readTree(blob(layout, entry));
            }
        }
        throw new AssertionError("no linux/" + arch + " image in " + layout + ": " + index);
    }

    /** e_machine of a little-endian ELF file. */
    private static int elfMachine(byte[] elf) {
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, java.util.Arrays.copyOf(elf, 4), "an ELF file");
        return java.nio.ByteBuffer.wrap(elf).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(18) & 0xffff;
    }

    private static int reportLines(Path serialLog) throws IOException {
        return Files.readString(serialLog, StandardCharsets.ISO_8859_1).split(Qemu.REPORT_MARKER, -1).length - 1;
    }

    private static List<Path> sortedChildren(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            return children.sorted().toList();
        }
    }

    /** A blob of an OCI layout, checked against its descriptor's digest and size. */
    private static byte[] blob(Path layout, JsonNode descriptor) throws IOException {
        String digest = descriptor.get("digest").asText();
        byte[] content = Files.readAllBytes(layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())));
        assertEquals(digest, "sha256:" + sha256(content), "blob content matches its digest");
        assertEquals(descriptor.get("size").asLong(), content.length, "blob size of " + digest);
        return content;
    }

    private static Map<String, byte[]> untar(byte[] tar) throws IOException {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new java.io.ByteArrayInputStream(tar))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                assertEquals(0, entry.getLongUserId(), entry.getName() + " owned by root");
                files.put(entry.getName().replaceFirst("/$", ""), in.readAllBytes());
            }
        }
        return files;
    }

    private static Map<String, TarArchiveEntry> tarEntries(byte[] tar) throws IOException {
        Map<String, TarArchiveEntry> entries = new java.util.LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new java.io.ByteArrayInputStream(tar))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                entries.put(entry.getName().replaceFirst("/$", ""), entry);
            }
        }
        return entries;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static byte[] bytes(Path file, int offset, int length) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(offset);
            return in.readNBytes(length);
        }
    }

    private static byte[] gunzip(byte[] data) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
            return in.readAllBytes();
        }
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
