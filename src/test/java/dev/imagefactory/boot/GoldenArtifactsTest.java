package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * "Bytes do not change" (issue 12): the SHA-256 and size of every artifact the factory serves for a fixed set of
 * schematics × every stand-in version × both architectures × every output kind and ISO generator, and the digest of
 * every {@code /v2} installer index, requested over HTTP and compared with {@code src/test/resources/golden/artifacts.txt}.
 * A failure lists every key whose digest changed ({@code ~}), appeared ({@code +}) or vanished ({@code -}).
 *
 * <p>Record mode rewrites the golden file from what the factory serves now (only ever on code whose bytes are known
 * good, e.g. main before a refactor): {@code mvn -B -o test -Dtest=GoldenArtifactsTest -Dgolden.record=true}.
 *
 * <p>Every listed request must answer 200; the combinations the factory refuses (400: an overlay on a release that has
 * none) are listed as refusals with their reason and asserted to be refused, so nothing is left out silently. The
 * golden file also records, as context, what the bytes were made from (a digest of each stand-in version's files, the
 * test certificate, the Debian versions of the tools the builds run): the stand-in release is built from the current
 * Debian packages, so a Debian kernel update changes the bytes without any change here, and the failure message then
 * names the changed input next to the changed artifacts (re-record on unchanged code in that case).
 *
 * <p>Every artifact listed is reproducible: two runs of this class against two fresh data dirs served the same bytes.
 * Groups of one schematic × version × architecture run in parallel, as many as the factory's build concurrency, each
 * asking for the initramfs before the outputs that embed it.
 */
@QuarkusTest
@Tag("slow")
@TestProfile(BootAssetsTest.StandinProfile.class)
class GoldenArtifactsTest {

    static final String GOLDEN_RESOURCE = "/golden/artifacts.txt";
    static final Path GOLDEN_SOURCE = Path.of("src/test/resources/golden/artifacts.txt");
    static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

    /** The fixed schematics; their YAML is part of the recording (their IDs are recorded too), never edit it. */
    static final Map<String, String> SCHEMATICS = orderedMap(
            "empty", "customization: {}\n",
            "full", """
                    customization:
                      extraKernelArgs:
                        - talos.dashboard.disabled=1
                        - -pti
                        - 'golden.chars={a}&b$c|d;e<f>g#h*i'
                        - golden.quoted="a b"
                      meta:
                        - key: 10
                          value: '{"externalIPs":["1.2.3.4"]}'
                        - key: 12
                          value: golden
                      systemExtensions:
                        officialExtensions:
                          - standin/intel-ucode
                          - standin/dummy-module
                          - standin/usr-local-tools
                    """,
            "overlay", """
                    overlay:
                      name: standin-board
                      image: standin/sbc-standin
                      options:
                        configTxtAppend: "dtoverlay=golden"
                    customization:
                      systemExtensions:
                        officialExtensions:
                          - standin/usr-local-tools
                    """,
            "secureboot", """
                    customization:
                      extraKernelArgs: [golden.secureboot=1]
                      secureboot:
                        enrollKeys: force
                        includeWellKnownCertificates: true
                      systemExtensions:
                        officialExtensions: [standin/dummy-module]
                    """);

    /** From Talos 1.12 the schematic picks the ISO generator: the full schematic with each bootloader named. */
    static final List<String> BOOTLOADERS = List.of("grub", "sd-boot", "dual-boot");
    static final List<String> ARCHES = List.of("amd64", "arm64");

    /** One request and what it must answer. */
    record Check(String key, String path, String accept, Optional<String> refusal) {
        static Check artifact(String key, String path) {
            return new Check(key, path, "*/*", Optional.empty());
        }
    }

    /** What one request measured: the golden value, or a problem. */
    record Outcome(Check check, String value, String problem) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void everyServedArtifactHasItsRecordedBytes() throws Exception {
        long started = System.nanoTime();
        Map<String, String> measured = new TreeMap<>(context());
        Map<String, String> ids = new TreeMap<>();
        SCHEMATICS.forEach((name, yaml) -> ids.put(name, BootAssetsTest.createSchematic(yaml)));
        for (String bootloader : BOOTLOADERS) {
            ids.put("full+bootloader=" + bootloader, BootAssetsTest.createSchematic(withBootloader(bootloader)));
        }
        ids.forEach((name, id) -> measured.put("schematic/" + name, id));

        List<List<Check>> groups = new ArrayList<>();
        for (String name : SCHEMATICS.keySet()) {
            for (String version : StandinRelease.VERSIONS) {
                for (String arch : ARCHES) {
                    groups.add(imageChecks(name, ids.get(name), version, arch));
                }
            }
        }
        for (String bootloader : BOOTLOADERS) {
            String name = "full+bootloader=" + bootloader;
            for (String arch : ARCHES) {
                groups.add(List.of(Check.artifact(imageKey(name, StandinRelease.V1_12, "metal-" + arch + ".iso"),
                        imagePath(ids.get(name), StandinRelease.V1_12, "metal-" + arch + ".iso"))));
            }
        }
        List<Outcome> outcomes = new ArrayList<>(runGroups(groups));
        // the indexes last: their installers (both architectures) are built by now
        List<List<Check>> indexes = new ArrayList<>();
        for (String name : SCHEMATICS.keySet()) {
            for (String version : StandinRelease.VERSIONS) {
                indexes.add(indexChecks(name, ids.get(name), version));
            }
        }
        outcomes.addAll(runGroups(indexes));

        List<String> problems = new ArrayList<>();
        int artifacts = 0;
        for (Outcome o : outcomes) {
            if (o.problem() != null) {
                problems.add(o.check().key() + " (" + o.check().path() + "): " + o.problem());
            } else if (o.value() != null) {
                measured.put(o.check().key(), o.value());
                artifacts++;
            }
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000;
        System.out.printf("GoldenArtifactsTest: %d artifacts and indexes, %d refusals checked, %d s%n", artifacts,
                outcomes.size() - artifacts - problems.size(), seconds);
        assertTrue(problems.isEmpty(), "unexpected answers:\n" + String.join("\n", problems));

        GoldenFile now = new GoldenFile(measured);
        if (Boolean.getBoolean("golden.record")) {
            now.write(GOLDEN_SOURCE, header());
            System.out.println("GoldenArtifactsTest: recorded " + now.entries().size() + " entries into " + GOLDEN_SOURCE);
            return;
        }
        GoldenFile golden = GoldenFile.readResource(GOLDEN_RESOURCE);
        assertTrue(!golden.entries().isEmpty(), GOLDEN_RESOURCE + " is missing: record it with -Dgolden.record=true");
        List<String> diff = now.diff(golden);
        if (!diff.isEmpty()) {
            fail("served bytes differ from " + GOLDEN_SOURCE + " (~ changed, + appeared, - vanished):\n"
                    + String.join("\n", diff) + "\n");
        }
    }

    /**
     * One schematic × version × architecture, in build order: the initramfs before what embeds it. The secureboot
     * schematic's plain ISO is left out to save time (GRUB and hybrid ISOs take grub-mkrescue tens of seconds): its
     * {@code secureboot} settings reach only SecureBoot outputs, and its other fields are the full schematic's.
     */
    static List<Check> imageChecks(String name, String id, String version, String arch) {
        List<String> files = List.of("kernel-" + arch, "cmdline-metal-" + arch, "cmdline-metal-" + arch + "-secureboot",
                "initramfs-" + arch + ".xz", "metal-" + arch + "-uki.efi", "metal-" + arch + "-secureboot-uki.efi",
                "metal-" + arch + ".iso", "metal-" + arch + "-secureboot.iso", "installer-" + arch + ".tar",
                "installer-" + arch + "-secureboot.tar");
        return files.stream().filter(file -> !(name.equals("secureboot") && file.equals("metal-" + arch + ".iso")))
                .map(file -> new Check(imageKey(name, version, file), imagePath(id, version, file), "*/*",
                        refusal(name, version, file))).toList();
    }

    /** The OCI index and the Docker manifest list of each installer repository of the schematic at a version. */
    static List<Check> indexChecks(String name, String id, String version) {
        List<Check> checks = new ArrayList<>();
        for (String repository : List.of("metal-installer", "metal-installer-secureboot")) {
            Optional<String> refusal = refusal(name, version, "installer");
            for (String accept : List.of(MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST)) {
                String type = accept.equals(MediaTypes.OCI_INDEX) ? "oci-index" : "docker-manifest-list";
                checks.add(new Check("v2/" + name + "/" + repository + ":" + version + "/" + type,
                        "/v2/" + repository + "/" + id + "/manifests/" + version, accept, refusal));
            }
        }
        return checks;
    }

    /**
     * The combinations the factory refuses, with the reason it gives: the stand-in 1.7 release has no overlay, so
     * an overlay schematic gets only the outputs that do not carry it (kernel, cmdline).
     */
    static Optional<String> refusal(String name, String version, String file) {
        boolean carriesOverlay = !file.startsWith("kernel-") && !file.startsWith("cmdline-");
        if (name.equals("overlay") && version.equals(StandinRelease.V1_7) && carriesOverlay) {
            return Optional.of("official overlay \"standin-board\" is not available for Talos version");
        }
        return Optional.empty();
    }

    private List<Outcome> runGroups(List<List<Check>> groups) throws Exception {
        int parallel = ConfigProvider.getConfig().getValue("factory.build.max-concurrency", Integer.class);
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<List<Outcome>>> futures = new ArrayList<>();
            for (List<Check> group : groups) {
                futures.add(pool.submit(() -> {
                    List<Outcome> out = new ArrayList<>();
                    for (Check check : group) {
                        out.add(measure(check));
                    }
                    return out;
                }));
            }
            List<Outcome> all = new ArrayList<>();
            for (Future<List<Outcome>> f : futures) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    /** GETs the path, hashing the body as it streams; checks it against the response's own ETag or digest header. */
    private Outcome measure(Check check) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + check.path()))
                .header("Accept", check.accept()).timeout(REQUEST_TIMEOUT).GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            long size = 0;
            byte[] buffer = new byte[1 << 16];
            byte[] head = new byte[0];
            try (InputStream in = response.body()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha256.update(buffer, 0, n);
                    if (head.length < 512) {
                        head = concat(head, buffer, Math.min(n, 512 - head.length));
                    }
                    size += n;
                }
            }
            String digest = "sha256:" + HexFormat.of().formatHex(sha256.digest());
            if (check.refusal().isPresent()) {
                String body = new String(head, StandardCharsets.UTF_8).replace("\\\"", "\""); // /v2 errors are JSON
                return response.statusCode() == 400 && body.contains(check.refusal().get())
                        ? new Outcome(check, null, null)
                        : new Outcome(check, null, "expected 400 \"" + check.refusal().get() + "\", got "
                                + response.statusCode() + " " + body.strip());
            }
            if (response.statusCode() != 200) {
                return new Outcome(check, null, "status " + response.statusCode() + ": "
                        + new String(head, StandardCharsets.UTF_8).strip());
            }
            Optional<String> served = check.path().startsWith("/v2/")
                    ? response.headers().firstValue("Docker-Content-Digest")
                    : response.headers().firstValue("ETag").map(e -> "sha256:" + e.replace("\"", ""));
            if (!served.equals(Optional.of(digest))) {
                return new Outcome(check, null, "body is " + digest + " but the response says " + served);
            }
            return new Outcome(check, digest + " " + size, null);
        } catch (IOException | NoSuchAlgorithmException e) {
            return new Outcome(check, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(check, null, "interrupted");
        }
    }

    /** What the recorded bytes were made from: each stand-in version's files, the test certificate, tool versions. */
    static Map<String, String> context() throws Exception {
        Map<String, String> context = new TreeMap<>();
        for (String version : StandinRelease.VERSIONS) {
            context.put(GoldenFile.INPUT + "standin-release/" + version, treeDigest(StandinRelease.version(version)));
        }
        context.put(GoldenFile.INPUT + "secureboot/signing-cert", "sha256:"
                + HexFormat.of().formatHex(sha256(Files.readAllBytes(SnakeoilKeys.CERT))));
        String packages = new ProcessRunner(Duration.ofSeconds(30)).run(Command.of("dpkg-query", "-W",
                "-f", "${Package} ${Version}\\n", "cpio", "kmod", "squashfs-tools", "xorriso", "grub-common",
                "grub-pc-bin", "grub-efi-amd64-bin", "dosfstools", "mtools", "zlib1g")).stdout();
        packages.lines().map(l -> l.split(" ", 2)).filter(p -> p.length == 2)
                .forEach(p -> context.put(GoldenFile.TOOL + p[0], p[1]));
        context.put(GoldenFile.TOOL + "java", System.getProperty("java.vm.vendor") + " " + Runtime.version());
        return context;
    }

    /** SHA-256 over the sorted "path sha256" lines of every file of a stand-in version (its build stamp excluded). */
    static String treeDigest(Path root) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = root.relativize(file).toString();
                if (!relative.equals(".standin-build")) {
                    try (InputStream in = Files.newInputStream(file)) {
                        MessageDigest d = MessageDigest.getInstance("SHA-256");
                        byte[] buffer = new byte[1 << 16];
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            d.update(buffer, 0, n);
                        }
                        lines.add(relative + " " + HexFormat.of().formatHex(d.digest()));
                    }
                }
            }
        }
        Collections.sort(lines);
        return "sha256:" + HexFormat.of().formatHex(sha256(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
    }

    static List<String> header() {
        return List.of("Golden bytes of every artifact the factory serves (issue 12, \"Bytes do not change\").",
                "Written by GoldenArtifactsTest with -Dgolden.record=true; compared by it otherwise. Do not edit by hand.",
                "image/<schematic>/<version>/<file>  sha256:<hex> <size>  (GET /image/<schematic id>/<version>/<file>)",
                "v2/<schematic>/<repository>:<version>/<type>  sha256:<index digest> <size>  (GET /v2/<repository>/<id>/manifests/<version>)",
                "schematic/<name>  <id>; input/... and tool/...: what the bytes were made from (context, not compared)");
    }

    static String withBootloader(String bootloader) {
        return SCHEMATICS.get("full").replace("customization:\n", "customization:\n  bootloader: " + bootloader + "\n");
    }

    static String imageKey(String name, String version, String file) {
        return "image/" + name + "/" + version + "/" + file;
    }

    static String imagePath(String id, String version, String file) {
        return "/image/" + id + "/" + version + "/" + file;
    }

    private static byte[] sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static byte[] concat(byte[] a, byte[] b, int n) {
        byte[] out = new byte[a.length + n];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, n);
        return out;
    }

    private static Map<String, String> orderedMap(String... keyValues) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
