package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.Profile;
import dev.imagefactory.model.Quirks;

import dev.imagefactory.build.uki.PcrSigner;
import dev.imagefactory.build.uki.SectionContent;
import dev.imagefactory.build.uki.UkiBuilder;
import dev.imagefactory.build.uki.UkiInputs;
import dev.imagefactory.build.uki.UkiProfile;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.secureboot.PcrKey;
import dev.imagefactory.secureboot.PcrSignature;
import dev.imagefactory.secureboot.PeSigner;
import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.secureboot.SigningMaterial;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one UKI assembly (talos-imager.md §4): the release's systemd-stub with the kernel, the schematic's initramfs
 * (the {@code initramfs-<arch>.xz} plan, reused) and the cmdline of the output it is for, plus that output's extra
 * profiles. SecureBoot UKIs carry {@code .pcrpkey} and the PCR 11 signature ({@code .pcrsig}) and are
 * Authenticode-signed as a whole (§4.4, §4.5). Served as {@code <platform>-<arch>[-secureboot]-uki.efi} with the
 * {@code main} profile only; the ISO's and the installer's UKIs are the same step with their own profile set,
 * kept as local intermediates ({@link Use}).
 */
@Singleton
class UkiStep implements OutputStep, FileStep {

    private static final String BUILDER_VERSION = "uki-1";

    /** Who the UKI is for: its extra profiles and how it is kept and counted. */
    enum Use {
        /** The {@code uki} output: {@code main} only. */
        OUTPUT(null),
        /** On the ISO's ESP: plus the {@code reset} profile (>= 1.10). */
        ISO("iso-uki"),
        /** In the installer: plus {@code reset-maintenance} (§7.1 step 7). */
        INSTALLER("installer-uki"),
        /** On a disk image's ESP: the installer's profiles (§4.2: image and installer share them). */
        DISK("disk-uki");

        private final String intermediateLabel;

        Use(String intermediateLabel) {
            this.intermediateLabel = intermediateLabel;
        }

        List<UkiProfile> extraProfiles(String cmdline) {
            return switch (this) {
                case OUTPUT -> List.of();
                case ISO -> List.of(UkiProfile.isoReset(cmdline));
                case INSTALLER, DISK -> List.of(UkiProfile.resetToMaintenance(cmdline));
            };
        }
    }

    /**
     * @param versionTag    the version as the client wrote it, {@code v}-prefixed (in {@code .osrel})
     * @param extraProfiles the profiles after {@code main}
     */
    record Inputs(ReleaseInput stub, ReleaseInput kernel, BuildPlan initramfs, String cmdline, String versionTag,
            Quirks quirks, List<UkiProfile> extraProfiles, Optional<Signer> signer) {
    }

    private final ReleaseFiles releaseFiles;
    private final InitramfsStep initramfs;
    private final SecureBootKeys keys;
    private final UkiBuilder builder = new UkiBuilder();

    @Inject
    UkiStep(ReleaseFiles releaseFiles, InitramfsStep initramfs, SecureBootKeys keys) {
        this.releaseFiles = releaseFiles;
        this.initramfs = initramfs;
        this.keys = keys;
    }

    @Override
    public StepKind kind() {
        return StepKind.UKI;
    }

    @Override
    public OutputKind output() {
        return OutputKind.UKI;
    }

    @Override
    public BuildPlan plan(BuildRequest request) {
        if (!request.quirks().supportsUki()) {
            throw new InvalidInputException("UKI output is not supported for Talos version "
                    + request.profile().version());
        }
        return plan(request, Use.OUTPUT);
    }

    /** The UKI {@code request}'s output embeds: its cmdline, signed when the output is SecureBoot. */
    BuildPlan plan(BuildRequest request, Use use) {
        Profile profile = request.profile();
        String cmdline = CmdlineStep.cmdline(request);
        Optional<Signer> signer = profile.secureBoot() ? Optional.of(new Signer(keys.requireEnabled())) : Optional.empty();
        Inputs inputs = new Inputs(releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_STUB),
                releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL), initramfs.plan(request),
                cmdline, request.versionTag(), request.quirks(), use.extraProfiles(cmdline), signer);
        BuildLabels labels = profile.labels();
        return use == Use.OUTPUT ? BuildPlan.output(kind(), BUILDER_VERSION, inputs, labels)
                : BuildPlan.intermediate(kind(), BUILDER_VERSION, inputs, labels.intermediate(use.intermediateLabel));
    }

    @Override
    public Path execute(BuildPlan plan, NeededFiles needs, Path work, StepProgress progress) throws Exception {
        Inputs in = plan.inputs(Inputs.class);
        UkiInputs uki = UkiInputs.of(in.stub().path(), in.kernel().path(), needs.file(in.initramfs()), in.cmdline(),
                in.versionTag(), in.quirks());
        if (!in.extraProfiles().isEmpty()) {
            uki = uki.withExtraProfiles(in.extraProfiles());
        }
        Path out = work.resolve("uki.efi");
        if (in.signer().isEmpty()) {
            // an intermediate is hashed by the cache beside the next step; a served UKI while it is written
            builder.build(uki, out, !plan.intermediate());
            return out;
        }
        SigningMaterial signing = in.signer().get().material();
        PcrKey pcrKey = signing.pcrKey();
        // one PcrSignature.Section per section content for all the profiles' signatures: each is hashed once
        // (the profiles are signed at once, on their own threads)
        Map<SectionContent, PcrSignature.Section> pcrSections = Collections.synchronizedMap(new IdentityHashMap<>());
        Path initrd = needs.file(in.initramfs());
        Optional<String> initrdSha256 = needs.knownSha256(in.initramfs());
        // its size known from the key, each .pcrsig is signed while the sections before it are written
        byte[] imageDigest = builder.buildForSigning(uki.signed(pcrKey.pcrpkey(), PcrSigner.ofSize(
                PcrSignature.sectionSize(pcrKey), measured -> PcrSignature.section(
                        asPcrSections(measured, pcrSections, initrd, initrdSha256), pcrKey))), out);
        // the work dir is ours: a failed build's half-signed file goes with it
        PeSigner.signInPlace(out, signing, imageDigest);
        return out;
    }

    /**
     * The measured sections, as the PCR signature reads them (streamed from the stub, kernel and initramfs), taken from
     * {@code known} when an earlier profile's signature already made them.
     */
    private static Map<String, PcrSignature.Section> asPcrSections(Map<String, SectionContent> measured,
            Map<SectionContent, PcrSignature.Section> known, Path initrd, Optional<String> initrdSha256) {
        Map<String, PcrSignature.Section> sections = new LinkedHashMap<>();
        measured.forEach((name, content) -> sections.put(name, known.computeIfAbsent(content,
                c -> isWholeFile(c, initrd) && initrdSha256.isPresent()
                        // its other digests were likely taken while the initramfs step wrote it (ContentDigests)
                        ? PcrSignature.Section.ofSource(name, c::openStream, initrdSha256.get())
                        : PcrSignature.Section.ofSource(name, c::openStream))));
        return sections;
    }

    private static boolean isWholeFile(SectionContent content, Path file) {
        try {
            return content instanceof SectionContent.FileRange range && range.file().equals(file)
                    && range.offset() == 0 && range.size() == Files.size(file);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
