package dev.imagefactory.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.SnakeoilKeys;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.secureboot.SigningMaterial;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cache key is the plan: changing any single input of a plan changes its key, and requests that ask for the same
 * build (arch aliases, a download name, a sidecar) give the same key.
 */
class BuildPlanKeyTest {

    static final String V = "1.12.0";
    static final String FULL = """
            customization:
              extraKernelArgs:
                - talos.dashboard.disabled=1
              meta:
                - key: 10
                  value: '{"externalIPs":["1.2.3.4"]}'
              embeddedMachineConfiguration: "machine: {}"
              secureboot:
                enrollKeys: if-safe
              systemExtensions:
                officialExtensions:
                  - standin/intel-ucode
                  - standin/dummy-module
            """;
    static final PlanFixture PLANS = new PlanFixture();

    /** Each output whose bytes a schematic field reaches, with the field changed in the schematic. */
    static Stream<Arguments> schematicFieldChanges() {
        return Stream.of(
                Arguments.of("metal-amd64.iso", FULL.replace("talos.dashboard.disabled=1", "talos.dashboard.disabled=0")),
                Arguments.of("metal-amd64.iso", FULL.replace("1.2.3.4", "1.2.3.5")),
                Arguments.of("metal-amd64.iso", FULL.replace("key: 10", "key: 11")),
                Arguments.of("metal-amd64.iso", FULL.replace("machine: {}", "machine: {a: 1}")),
                Arguments.of("metal-amd64.iso", FULL.replace("      - standin/dummy-module\n", "")),
                Arguments.of("metal-amd64.iso", FULL + "  bootloader: sd-boot\n"),
                Arguments.of("metal-amd64-secureboot.iso", FULL.replace("if-safe", "force")),
                Arguments.of("metal-amd64-secureboot.iso", FULL.replace("enrollKeys: if-safe",
                        "enrollKeys: if-safe\n    includeWellKnownCertificates: true")),
                Arguments.of("initramfs-amd64.xz", FULL.replace("machine: {}", "machine: {a: 1}")),
                Arguments.of("initramfs-amd64.xz", FULL.replace("standin/intel-ucode", "standin/usr-local-tools")),
                Arguments.of("metal-amd64-uki.efi", FULL.replace("talos.dashboard.disabled=1", "x=1")),
                Arguments.of("installer-amd64.tar", FULL.replace("talos.dashboard.disabled=1", "x=1")),
                Arguments.of("installer-amd64.tar", FULL.replace("      - standin/dummy-module\n", "")),
                Arguments.of("cmdline-metal-amd64", FULL.replace("talos.dashboard.disabled=1", "x=1")));
    }

    @ParameterizedTest
    @MethodSource("schematicFieldChanges")
    void oneSchematicFieldChangesTheKey(String path, String changed) {
        assertNotEquals(PLANS.plan(FULL, V, path).key(), PLANS.plan(changed, V, path).key(), path);
    }

    static Stream<Arguments> releaseFiles() {
        return Stream.of(
                Arguments.of("kernel-amd64", "v1.12.0/amd64/vmlinuz"),
                Arguments.of("initramfs-amd64.xz", "v1.12.0/amd64/initramfs.xz"),
                Arguments.of("metal-amd64-uki.efi", "v1.12.0/amd64/systemd-stub.efi"),
                Arguments.of("metal-amd64-uki.efi", "v1.12.0/amd64/initramfs.xz"),
                Arguments.of("metal-amd64.iso", "v1.12.0/amd64/vmlinuz"),
                Arguments.of("metal-amd64.iso", "v1.12.0/amd64/initramfs.xz"),
                Arguments.of("metal-amd64.iso", "v1.12.0/amd64/systemd-stub.efi"),
                Arguments.of("metal-amd64.iso", "v1.12.0/amd64/systemd-boot.efi"),
                Arguments.of("metal-amd64-secureboot.iso", "v1.12.0/amd64/systemd-boot.efi"),
                Arguments.of("installer-amd64.tar", "v1.12.0/amd64/systemd-boot.efi"),
                Arguments.of("installer-amd64.tar", "v1.12.0/amd64/initramfs.xz"),
                Arguments.of("installer-amd64.tar", "v1.12.0/amd64/installer-base"),
                Arguments.of("installer-amd64-secureboot.tar", "v1.12.0/amd64/systemd-boot.efi"));
    }

    @ParameterizedTest
    @MethodSource("releaseFiles")
    void aReleaseFileDigestChangesTheKey(String path, String file) {
        PlanFixture changed = new PlanFixture(Map.of(file, "changed"), PLANS.signer, PlanFixture.EXTERNAL_URL);
        assertNotEquals(PLANS.plan(FULL, V, path).key(), changed.plan(FULL, V, path).key(), path + " " + file);
    }

    @Test
    void anExtensionDigestChangesTheKey() {
        BuildRequest request = PlanFixture.request(FULL, V, "metal-amd64.iso");
        List<dev.imagefactory.catalog.OfficialExtension> extensions = new java.util.ArrayList<>(request.extensions());
        var first = extensions.get(0);
        extensions.set(0, new dev.imagefactory.catalog.OfficialExtension(first.ref(), PlanFixture.sha256("other"),
                first.author(), first.description()));
        BuildRequest changed = new BuildRequest(request.profile(), request.schematic(), request.versionTag(), extensions);
        assertNotEquals(PLANS.iso.plan(request).key(), PLANS.iso.plan(changed).key());
        assertNotEquals(PLANS.initramfs.plan(request).key(), PLANS.initramfs.plan(changed).key());
    }

    /** The squashfs plans an initramfs plan needs, in factory order (official extensions, schematic, config). */
    private static List<BuildPlan> squashfs(BuildPlan initramfs) {
        return initramfs.needs().stream().filter(p -> p.kind() == StepKind.EXTENSION_SQUASHFS).toList();
    }

    @Test
    void anExtensionDigestChangesItsSquashfsKeyOnly() {
        BuildRequest request = PlanFixture.request(FULL, V, "initramfs-amd64.xz");
        List<dev.imagefactory.catalog.OfficialExtension> extensions = new java.util.ArrayList<>(request.extensions());
        var first = extensions.get(0);
        extensions.set(0, new dev.imagefactory.catalog.OfficialExtension(first.ref(), PlanFixture.sha256("other"),
                first.author(), first.description()));
        BuildRequest changed = new BuildRequest(request.profile(), request.schematic(), request.versionTag(), extensions);
        List<BuildPlan> before = squashfs(PLANS.initramfs.plan(request));
        List<BuildPlan> after = squashfs(PLANS.initramfs.plan(changed));
        assertEquals(4, before.size(), "two extensions, schematic, embedded-config");
        assertNotEquals(before.get(0).key(), after.get(0).key());
        assertEquals(before.subList(1, 4), after.subList(1, 4), "the other squashfs plans stay");
        before.forEach(p -> assertTrue(p.intermediate()));
        before.forEach(p -> assertEquals("extension-squashfs", p.labels().outputKind()));
    }

    @Test
    void theCompressionQuirkChangesTheSquashfsKey() {
        // 1.7.7 squashes with xz, 1.8.0 with zstd; the schematic extension is otherwise the same (no version in it)
        String yaml = "customization: {}\n";
        BuildPlan xz = squashfs(PLANS.plan(yaml, "1.7.7", "initramfs-amd64.xz")).get(0);
        BuildPlan zstd = squashfs(PLANS.plan(yaml, "1.8.0", "initramfs-amd64.xz")).get(0);
        SquashfsStep.Inputs xzInputs = xz.inputs(SquashfsStep.Inputs.class);
        SquashfsStep.Inputs zstdInputs = zstd.inputs(SquashfsStep.Inputs.class);
        assertEquals(xzInputs.content(), zstdInputs.content());
        assertEquals(xzInputs.firmwarePath(), zstdInputs.firmwarePath());
        assertNotEquals(xzInputs.compression(), zstdInputs.compression());
        assertNotEquals(xz.key(), zstd.key());
    }

    @Test
    void theSchematicTextChangesOnlyTheSchematicSquashfsKey() {
        List<BuildPlan> before = squashfs(PLANS.plan(FULL, V, "initramfs-amd64.xz"));
        List<BuildPlan> after = squashfs(PLANS.plan(FULL.replace("talos.dashboard.disabled=1", "x=1"), V,
                "initramfs-amd64.xz"));
        assertEquals(before.subList(0, 2), after.subList(0, 2), "official extensions' squashfs are shared");
        assertNotEquals(before.get(2).key(), after.get(2).key(), "the schematic extension carries the schematic");
        assertEquals(before.get(3), after.get(3), "same embedded config");
        List<BuildPlan> otherConfig = squashfs(PLANS.plan(FULL.replace("machine: {}", "machine: {a: 1}"), V,
                "initramfs-amd64.xz"));
        assertNotEquals(before.get(3).key(), otherConfig.get(3).key(), "the config bytes are the content");
    }

    @Test
    void theVersionAndItsQuirksChangeTheKey() {
        for (String path : List.of("metal-amd64.iso", "metal-amd64-uki.efi", "initramfs-amd64.xz", "installer-amd64.tar")) {
            assertNotEquals(PLANS.plan(FULL, "1.12.0", path).key(), PLANS.plan(FULL, "1.12.1", path).key(), path);
        }
        // the same release files and quirks, but the version is written into the UKI's .osrel
        PlanFixture same = PLANS;
        assertNotEquals(same.plan(FULL, "1.12.0", "metal-amd64-uki.efi").key(),
                same.plan(FULL, "1.12.0-beta.1", "metal-amd64-uki.efi").key());
    }

    @Test
    void theSigningKeyFingerprintChangesTheKey(@TempDir Path dir) throws Exception {
        ProcessRunner openssl = new ProcessRunner(Duration.ofSeconds(60));
        openssl.run(Command.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
                "-out", "cert.pem", "-days", "30", "-subj", "/CN=other").in(dir));
        SigningMaterial other = SigningMaterial.fromFiles(dir.resolve("key.pem"), dir.resolve("cert.pem"),
                dir.resolve("key.pem"));
        assertNotEquals(PLANS.signer.fingerprint(), other.fingerprint());
        PlanFixture otherKeys = new PlanFixture(Map.of(), other, PlanFixture.EXTERNAL_URL);
        for (String path : List.of("metal-amd64-secureboot.iso", "metal-amd64-secureboot-uki.efi",
                "installer-amd64-secureboot.tar")) {
            assertNotEquals(PLANS.plan(FULL, V, path).key(), otherKeys.plan(FULL, V, path).key(), path);
        }
        // unsigned outputs do not depend on the keys
        assertEquals(PLANS.plan(FULL, V, "metal-amd64.iso").key(), otherKeys.plan(FULL, V, "metal-amd64.iso").key());
    }

    @Test
    void theExternalUrlChangesTheInitramfsKey() {
        PlanFixture elsewhere = new PlanFixture(Map.of(), PLANS.signer, "https://elsewhere.example");
        assertNotEquals(PLANS.plan(FULL, V, "initramfs-amd64.xz").key(),
                elsewhere.plan(FULL, V, "initramfs-amd64.xz").key());
    }

    @Test
    void theBuilderVersionChangesTheKey() {
        for (String path : List.of("kernel-amd64", "cmdline-metal-amd64", "initramfs-amd64.xz", "metal-amd64-uki.efi",
                "metal-amd64.iso", "installer-amd64.tar")) {
            BuildPlan plan = PLANS.plan(FULL, V, path);
            BuildPlan bumped = BuildPlan.output(plan.kind(), plan.builderVersion() + "+1", plan.inputs(Record.class),
                    plan.labels());
            assertNotEquals(plan.key(), bumped.key(), path);
        }
    }

    @Test
    void aChangedNeedChangesTheDependentKeys() {
        // a new initramfs builder changes the initramfs key, so the UKI and the ISO embedding it change too
        BuildPlan iso = PLANS.plan(FULL, V, "metal-amd64.iso");
        BuildPlan initramfs = PLANS.plan(FULL, V, "initramfs-amd64.xz");
        assertTrue(iso.needs().contains(initramfs), iso.canonical());
        assertTrue(iso.canonical().contains(initramfs.key().hex()), "a need appears as its key");
    }

    @Test
    void equalBuildsFromDifferentRequestsHaveEqualKeys() {
        assertEquals(PLANS.plan(FULL, V, "metal-amd64.iso").key(), PLANS.plan(FULL, V, "metal-x86_64.iso").key());
        assertEquals(PLANS.plan(FULL, V, "metal-amd64.iso").key(), PLANS.plan(FULL, V, "metal-amd64.iso.sha512").key());
        assertEquals(PLANS.plan(FULL, V, "metal-amd64.iso").key(), PLANS.plan(FULL, "v" + V, "metal-amd64.iso").key());
        // the download name (?filename=) never reaches the request
        assertEquals(PLANS.plan(FULL, V, "kernel-amd64").key(), PLANS.plan("customization: {}\n", V, "kernel-amd64").key(),
                "a kernel is the same for every schematic");
        // the ISO's initramfs is the initramfs served on its own
        assertTrue(PLANS.plan(FULL, V, "metal-amd64.iso").needs().contains(PLANS.plan(FULL, V, "initramfs-amd64.xz")));
        // the UKI served and the ISO's UKI are one step with different profile sets: different plans
        BuildPlan isoUki = PLANS.plan(FULL, V, "metal-amd64.iso").needs().stream()
                .filter(p -> p.kind() == StepKind.UKI).findFirst().orElseThrow();
        assertNotEquals(PLANS.plan(FULL, V, "metal-amd64-uki.efi").key(), isoUki.key());
        assertTrue(isoUki.intermediate());
        assertEquals("iso-uki", isoUki.labels().outputKind());
    }

    @Test
    void labelsAreNotInTheKey() {
        BuildPlan plan = PLANS.plan(FULL, V, "kernel-amd64");
        BuildPlan relabelled = BuildPlan.output(plan.kind(), plan.builderVersion(), plan.inputs(Record.class),
                new BuildLabels("other", "v0", "arm64"));
        assertEquals(plan.key(), relabelled.key());
    }

    /** Strings are length-prefixed and escaped: no two different inputs write the same text. */
    record Pair(String a, String b) {
    }

    record Holder(Object value) {
    }

    @Test
    void theCanonicalFormIsUnambiguousAndRefusesUnknownTypes() {
        assertNotEquals(key(new Pair("ab", "c")), key(new Pair("a", "bc")));
        assertNotEquals(key(new Pair("a\\n", "\n")), key(new Pair("a\n", "\\n")));
        assertNotEquals(key(new Holder(Optional.of("x"))), key(new Holder("x")));
        assertNotEquals(key(new Holder(List.of("a", "b"))), key(new Holder(List.of("a,b"))));
        assertNotEquals(key(new Holder(true)), key(new Holder("true")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> key(new Holder(Path.of("/a/local/path"))));
        assertTrue(e.getMessage().contains("no canonical form"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> key(new Holder(null)));
    }

    private static String key(Record inputs) {
        return BuildPlan.output(StepKind.KERNEL, "test-1", inputs, new BuildLabels("kernel", "v1", "amd64")).key().hex();
    }

    static {
        SnakeoilKeys.key(); // decrypted once, before the parallel parameterised cases
    }
}
