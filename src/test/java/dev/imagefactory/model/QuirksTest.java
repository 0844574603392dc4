package dev.imagefactory.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QuirksTest {

    private static final long MIB = 1024L * 1024;

    private static final Map<String, Function<Quirks, Object>> QUIRKS = Map.ofEntries(
            Map.entry("supportsResetGrubOption", Quirks::supportsResetGrubOption),
            Map.entry("supportsUki", Quirks::supportsUki),
            Map.entry("supportsMultidoc", Quirks::supportsMultidoc),
            Map.entry("supportsCompressedEncodedMeta", Quirks::supportsCompressedEncodedMeta),
            Map.entry("supportsOverlay", Quirks::supportsOverlay),
            Map.entry("useZstdCompression", Quirks::useZstdCompression),
            Map.entry("supportsIsoLabel", Quirks::supportsIsoLabel),
            Map.entry("supportsMetalPlatformConsoleTtyS0", Quirks::supportsMetalPlatformConsoleTtyS0),
            Map.entry("supportsHaltIfInstalled", Quirks::supportsHaltIfInstalled),
            Map.entry("skipDataPartitions", Quirks::skipDataPartitions),
            Map.entry("supportsSelinux", Quirks::supportsSelinux),
            Map.entry("useSdBootForUefi", Quirks::useSdBootForUefi),
            Map.entry("supportsUkiProfiles", Quirks::supportsUkiProfiles),
            Map.entry("supportsUnifiedInstaller", Quirks::supportsUnifiedInstaller),
            Map.entry("supportsIma", Quirks::supportsIma),
            Map.entry("supportsFactoryTalosctlDownload", Quirks::supportsFactoryTalosctlDownload),
            Map.entry("supportsEmbeddedConfig", Quirks::supportsEmbeddedConfig),
            Map.entry("supportsDisablingModuleSignatureVerification",
                    Quirks::supportsDisablingModuleSignatureVerification),
            Map.entry("isoSupportsSettingBootloader", Quirks::isoSupportsSettingBootloader),
            Map.entry("procMemOverrideNever", Quirks::procMemOverrideNever),
            Map.entry("dropInitOnAllocInArgs", Quirks::dropInitOnAllocInArgs),
            Map.entry("nvmeCoreIoTimeoutAwsOnly", Quirks::nvmeCoreIoTimeoutAwsOnly),
            Map.entry("forcesLockdownConfidentiality", Quirks::forcesLockdownConfidentiality),
            Map.entry("kernelModulesPath", Quirks::kernelModulesPath),
            Map.entry("firmwarePath", Quirks::firmwarePath),
            Map.entry("bootPartitionSizeBytes", Quirks::bootPartitionSizeBytes),
            Map.entry("xfsMkfsConfig", Quirks::xfsMkfsConfig),
            Map.entry("xfsMinAllocationGroupSizeBytes", Quirks::xfsMinAllocationGroupSizeBytes));

    /** quirk, last version with the old answer, first version with the new one, old answer, new answer. */
    static Stream<Arguments> boundaries() {
        return Stream.of(
                row("supportsResetGrubOption", "1.3.99", "1.4.0", false, true),
                row("supportsUki", "1.4.9", "1.5.0", false, true),
                row("supportsMultidoc", "1.4.9", "1.5.0", false, true),
                row("supportsCompressedEncodedMeta", "1.6.2", "1.6.3", false, true),
                row("supportsOverlay", "1.6.9", "1.7.0", false, true),
                row("useZstdCompression", "1.7.9", "1.8.0", false, true),
                row("supportsIsoLabel", "1.7.9", "1.8.0", false, true),
                row("supportsMetalPlatformConsoleTtyS0", "1.7.9", "1.8.0", true, false),
                row("supportsHaltIfInstalled", "1.7.9", "1.8.0", false, true),
                row("skipDataPartitions", "1.7.9", "1.8.0", false, true),
                row("supportsSelinux", "1.9.9", "1.10.0", false, true),
                row("useSdBootForUefi", "1.9.9", "1.10.0", false, true),
                row("supportsUkiProfiles", "1.9.9", "1.10.0", false, true),
                row("supportsUnifiedInstaller", "1.9.9", "1.10.0", false, true),
                row("supportsIma", "1.10.99", "1.10.100", true, false),
                row("supportsIma", "1.10.9", "1.11.0", true, false),
                row("supportsFactoryTalosctlDownload", "1.10.9", "1.11.0", false, true),
                row("supportsEmbeddedConfig", "1.11.9", "1.12.0", false, true),
                row("supportsDisablingModuleSignatureVerification", "1.11.9", "1.12.0", false, true),
                row("isoSupportsSettingBootloader", "1.11.9", "1.12.0", false, true),
                row("procMemOverrideNever", "1.12.9", "1.13.0", false, true),
                row("dropInitOnAllocInArgs", "1.13.9", "1.14.0", false, true),
                row("nvmeCoreIoTimeoutAwsOnly", "1.13.9", "1.14.0", false, true),
                row("forcesLockdownConfidentiality", "1.13.9", "1.14.0", true, false),
                row("kernelModulesPath", "1.9.9", "1.10.0", "/lib/modules", "/usr/lib/modules"),
                row("firmwarePath", "1.9.9", "1.10.0", "/lib/firmware", "/usr/lib/firmware"),
                row("bootPartitionSizeBytes", "1.10.9", "1.11.0", 1000 * MIB, 2000 * MIB),
                row("xfsMkfsConfig", "1.7.9", "1.8.0",
                        "/usr/share/xfsprogs/mkfs/lts_6.1.conf", "/usr/share/xfsprogs/mkfs/lts_6.6.conf"),
                row("xfsMkfsConfig", "1.9.9", "1.10.0",
                        "/usr/share/xfsprogs/mkfs/lts_6.6.conf", "/usr/share/xfsprogs/mkfs/lts_6.12.conf"),
                row("xfsMkfsConfig", "1.12.9", "1.13.0",
                        "/usr/share/xfsprogs/mkfs/lts_6.12.conf", "/usr/share/xfsprogs/mkfs/lts_6.18.conf"),
                row("xfsMinAllocationGroupSizeBytes", "1.13.9", "1.14.0", 0L, 64L * 1024 * MIB));
    }

    private static Arguments row(String quirk, String before, String at, Object oldAnswer, Object newAnswer) {
        return Arguments.of(quirk, before, at, oldAnswer, newAnswer);
    }

    @ParameterizedTest(name = "{0}: {1} -> {3}, {2} -> {4}")
    @MethodSource("boundaries")
    void flipsExactlyAtItsThreshold(String quirk, String before, String at, Object oldAnswer, Object newAnswer) {
        Function<Quirks, Object> q = QUIRKS.get(quirk);
        assertEquals(oldAnswer, q.apply(quirks(before)), quirk + " at " + before);
        assertEquals(newAnswer, q.apply(quirks(at)), quirk + " at " + at);
        // a pre-release counts as its release: v<at>-alpha.1 already has the new answer
        assertEquals(newAnswer, q.apply(quirks(at + "-alpha.1")), quirk + " at " + at + "-alpha.1");
    }

    @Test
    void everyQuirkHasABoundaryRow() {
        assertEquals(QUIRKS.keySet(), boundaries().map(a -> (String) a.get()[0])
                .collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void preReleaseAndLocalBuildsCountAsTheirRelease() {
        assertEquals(true, quirks("v1.14.0-beta.1").dropInitOnAllocInArgs());
        assertEquals(true, quirks("v1.11.0-debian.1").supportsFactoryTalosctlDownload());
        assertEquals(false, quirks("v1.13.0-rc.0").dropInitOnAllocInArgs());
    }

    /** Upstream's answers for a version that does not parse: "latest Talos", except where it says false. */
    @Test
    void unknownVersionAnswersLikeUpstream() {
        Quirks q = Quirks.unknownVersion();
        Map<String, Object> expected = Map.ofEntries(
                Map.entry("supportsResetGrubOption", true),
                Map.entry("supportsUki", true),
                Map.entry("supportsMultidoc", true),
                Map.entry("supportsCompressedEncodedMeta", true),
                Map.entry("supportsOverlay", true),
                Map.entry("useZstdCompression", true),
                Map.entry("supportsIsoLabel", true),
                Map.entry("supportsMetalPlatformConsoleTtyS0", false),
                Map.entry("supportsHaltIfInstalled", true),
                Map.entry("skipDataPartitions", true),
                Map.entry("supportsSelinux", true),
                Map.entry("useSdBootForUefi", false),
                Map.entry("supportsUkiProfiles", true),
                Map.entry("supportsUnifiedInstaller", true),
                Map.entry("supportsIma", false),
                Map.entry("supportsFactoryTalosctlDownload", true),
                Map.entry("supportsEmbeddedConfig", true),
                Map.entry("supportsDisablingModuleSignatureVerification", true),
                Map.entry("isoSupportsSettingBootloader", true),
                Map.entry("procMemOverrideNever", true),
                Map.entry("dropInitOnAllocInArgs", true),
                Map.entry("nvmeCoreIoTimeoutAwsOnly", true),
                Map.entry("forcesLockdownConfidentiality", false),
                Map.entry("kernelModulesPath", "/usr/lib/modules"),
                Map.entry("firmwarePath", "/usr/lib/firmware"),
                Map.entry("bootPartitionSizeBytes", 2000 * MIB),
                Map.entry("xfsMkfsConfig", "/usr/share/xfsprogs/mkfs/lts_6.18.conf"),
                Map.entry("xfsMinAllocationGroupSizeBytes", 64L * 1024 * MIB));
        assertEquals(QUIRKS.keySet(), expected.keySet());
        expected.forEach((name, answer) -> assertEquals(answer, QUIRKS.get(name).apply(q), name));
    }

    private static Quirks quirks(String version) {
        return Quirks.of(TalosVersion.parse(version));
    }
}
