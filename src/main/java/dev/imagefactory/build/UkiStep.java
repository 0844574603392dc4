package dev.imagefactory.build;

import dev.imagefactory.build.uki.SectionContent;
import dev.imagefactory.build.uki.UkiBuilder;
import dev.imagefactory.build.uki.UkiInputs;
import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.AsyncLeases;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ReleaseFile;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.secureboot.PcrKey;
import dev.imagefactory.secureboot.PcrSignature;
import dev.imagefactory.secureboot.PeSigner;
import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.secureboot.SigningMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code <platform>-<arch>[-secureboot]-uki.efi} (talos-imager.md §4): the release's systemd-stub with the kernel,
 * the schematic's initramfs (the cached {@code initramfs-<arch>.xz} of the same schematic, reused) and the
 * cmdline. The {@code uki} output has only the {@code main} profile. SecureBoot UKIs carry {@code .pcrpkey} and the
 * PCR 11 signature ({@code .pcrsig}) and are Authenticode-signed as a whole (§4.4, §4.5).
 */
final class UkiStep {

    private static final String STEP_VERSION = "uki-1";

    private final ReleaseFiles releaseFiles;
    private final InitramfsStep initramfs;
    private final ArtifactBuilds builds;
    private final SecureBootKeys keys;
    private final UkiBuilder builder = new UkiBuilder();

    UkiStep(ReleaseFiles releaseFiles, InitramfsStep initramfs, ArtifactBuilds builds, SecureBootKeys keys) {
        this.releaseFiles = releaseFiles;
        this.initramfs = initramfs;
        this.builds = builds;
        this.keys = keys;
    }

    /** Waits for the initramfs without a thread (the UKI's key needs its digest), and holds it leased meanwhile. */
    CompletableFuture<ArtifactLease> build(BuildRequest request) {
        Profile profile = request.profile();
        if (!request.quirks().supportsUki()) {
            throw new InvalidInputException("UKI output is not supported for Talos version " + profile.version());
        }
        ReleaseFile stub = releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_STUB);
        ReleaseFile kernel = releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL);
        String cmdline = CmdlineStep.cmdline(request);
        Optional<SigningMaterial> signing = profile.secureBoot() ? Optional.of(keys.requireEnabled()) : Optional.empty();
        // the initramfs stays leased until the UKI that embeds it is built
        return initramfs.build(initramfsRequest(request)).thenCompose(initrd -> AsyncLeases.holding(initrd,
                () -> build(request, stub, kernel, initrd.artifact(), cmdline, signing)));
    }

    private CompletableFuture<ArtifactLease> build(BuildRequest request, ReleaseFile stub, ReleaseFile kernel,
            CachedArtifact initrd, String cmdline, Optional<SigningMaterial> signing) {
        Profile profile = request.profile();
        CacheKey key = Keys.of(profile, STEP_VERSION, "input.stub=" + stub.sha256(), "input.kernel=" + kernel.sha256(),
                "input.initramfs=" + initrd.sha256(), "cmdline=" + cmdline,
                "signer=" + signing.map(SigningMaterial::fingerprint).orElse("-"));
        return builds.leaseAsync(key, Keys.labels(profile), work -> {
            try (ArtifactLease initrdFile = builds.localFile(initrd)) {
                return assemble(builder, UkiInputs.of(stub.path(), kernel.path(), initrdFile.file(), cmdline,
                        request.versionTag(), request.quirks()), signing, work);
            }
        });
    }

    /**
     * The UKI {@code uki.efi} in {@code work}: plain, or for SecureBoot assembled with {@code .pcrpkey} and the
     * PCR 11 signature of every profile, then Authenticode-signed as a whole (§4.4, §4.5).
     */
    static Path assemble(UkiBuilder builder, UkiInputs inputs, Optional<SigningMaterial> signing, Path work)
            throws IOException {
        Path out = work.resolve("uki.efi");
        if (signing.isEmpty()) {
            builder.build(inputs, out);
            return out;
        }
        PcrKey pcrKey = signing.get().pcrKey();
        Path unsigned = work.resolve("uki-unsigned.efi");
        builder.build(inputs.signed(pcrKey.pcrpkey(), measured -> PcrSignature.section(asPcrSections(measured), pcrKey)),
                unsigned);
        PeSigner.sign(unsigned, out, signing.get());
        Files.delete(unsigned);
        return out;
    }

    /** The measured sections, as the PCR signature reads them (streamed from the stub, kernel and initramfs). */
    private static Map<String, PcrSignature.Section> asPcrSections(Map<String, SectionContent> measured) {
        Map<String, PcrSignature.Section> sections = new LinkedHashMap<>();
        measured.forEach((name, content) -> sections.put(name, PcrSignature.Section.ofSource(name, content::openStream)));
        return sections;
    }

    /** The initramfs the UKI embeds: the one {@code initramfs-<arch>.xz} serves for this schematic. */
    static BuildRequest initramfsRequest(BuildRequest request) {
        Profile p = request.profile();
        Profile initramfs = new Profile(p.schematicId(), p.version(), OutputKind.INITRAMFS, Platform.METAL, p.arch(),
                false, Optional.empty());
        return request.withProfile(initramfs);
    }
}
