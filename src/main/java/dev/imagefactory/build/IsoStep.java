package dev.imagefactory.build;

import dev.imagefactory.build.iso.GrubConfig;
import dev.imagefactory.build.iso.IsoBuilder;
import dev.imagefactory.build.iso.IsoInputs;
import dev.imagefactory.build.iso.IsoLayout;
import dev.imagefactory.build.uki.UkiBuilder;
import dev.imagefactory.build.uki.UkiInputs;
import dev.imagefactory.build.uki.UkiProfile;
import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.AsyncLeases;
import dev.imagefactory.cache.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ReleaseFile;
import dev.imagefactory.build.iso.LoaderConf;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.schematic.Schematic;
import dev.imagefactory.secureboot.EnrollmentKeys;
import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.secureboot.SigningMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code <platform>-<arch>.iso} (talos-imager.md §5): the layout chosen by version and the schematic's
 * {@code bootloader} ({@link IsoLayout#choose}), built from the release's kernel, the schematic's cached
 * {@code initramfs-<arch>.xz} (reused, not rebuilt) and the ISO cmdline (§3.2 step 3 {@code talos.halt_if_installed=1}
 * from 1.8, META and extra args per §3.5). UEFI-only and hybrid ISOs carry systemd-boot and a UKI whose second
 * profile resets the system disk (§4.2); that UKI is an intermediate product ({@code output_kind="iso-uki"}),
 * cached under its own inputs.
 *
 * <p>SecureBoot ISOs are UEFI-only (§5.1): systemd-boot and the UKI signed with our key, and on the ESP our
 * certificate and the PK/KEK/db {@code .auth} files systemd-boot enrolls from {@code loader/keys/auto} as
 * {@code customization.secureboot.enrollKeys} says (default {@code if-safe}).
 */
final class IsoStep {

    /** iso-2: grub.cfg arguments written by GrubLinuxArgs (single quotes instead of Talos' backslashes). */
    private static final String STEP_VERSION = "iso-2";
    private static final String UKI_STEP_VERSION = "iso-uki-1";
    static final String UKI_INTERMEDIATE = "iso-uki";

    private final ReleaseFiles releaseFiles;
    private final InitramfsStep initramfs;
    private final ArtifactBuilds builds;
    private final IsoBuilder isoBuilder;
    private final UkiBuilder ukiBuilder = new UkiBuilder();

    private final SecureBootKeys keys;

    IsoStep(ReleaseFiles releaseFiles, InitramfsStep initramfs, ArtifactBuilds builds, IsoBuilder isoBuilder,
            SecureBootKeys keys) {
        this.releaseFiles = releaseFiles;
        this.initramfs = initramfs;
        this.builds = builds;
        this.isoBuilder = isoBuilder;
        this.keys = keys;
    }

    /** Waits for the initramfs without a thread (the ISO's key needs its digest), and holds it leased meanwhile. */
    CompletableFuture<ArtifactLease> build(BuildRequest request) {
        Profile profile = request.profile();
        Schematic.Customization customization = request.schematic().schematic().customization();
        Optional<SigningMaterial> signing = profile.secureBoot() ? Optional.of(keys.requireEnabled()) : Optional.empty();
        String enroll = signing.isPresent() ? enrollMode(customization.secureBoot()) : LoaderConf.ENROLL_OFF;
        boolean wellKnown = signing.isPresent() && customization.secureBoot() != null
                && customization.secureBoot().includeWellKnownCertificates();
        IsoLayout layout = IsoLayout.choose(request.quirks(), profile.arch(), profile.secureBoot(),
                customization.bootloader());
        ReleaseFile kernel = releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL);
        ReleaseFile stub = layout.usesUki() ? releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_STUB) : null;
        ReleaseFile sdBoot = layout.usesUki() ? releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_BOOT) : null;
        String cmdline = CmdlineStep.cmdline(request);
        if (layout != IsoLayout.UEFI) {
            GrubConfig.render(cmdline, false); // an argument GRUB cannot carry is a 400 before anything is built
        }
        // the initramfs stays leased until the ISO that embeds it is built
        return initramfs.build(UkiStep.initramfsRequest(request)).thenCompose(initrdLease -> AsyncLeases.holding(
                initrdLease, () -> {
            CachedArtifact initrd = initrdLease.artifact();
            List<String> inputs = new ArrayList<>(List.of("builder=" + IsoBuilder.BUILDER_VERSION,
                    "layout=" + layout.bootloaderName(), "input.kernel=" + kernel.sha256(),
                    "input.initramfs=" + initrd.sha256(), "cmdline=" + cmdline));
            if (layout.usesUki()) {
                inputs.add("input.stub=" + stub.sha256());
                inputs.add("input.systemd-boot=" + sdBoot.sha256());
            }
            signing.ifPresent(m -> inputs.addAll(List.of("signer=" + m.fingerprint(), "enroll=" + enroll,
                    "well-known=" + wellKnown)));
            CacheKey key = Keys.of(profile, STEP_VERSION, inputs.toArray(String[]::new));
            BuildLabels labels = Keys.labels(profile);
            return builds.leaseAsync(key, labels, work -> {
                // every cached file xorriso reads stays leased until the ISO is written
                try (HeldLeases held = new HeldLeases()) {
                    IsoInputs iso = IsoInputs.grub(request.versionTag(), request.quirks(), profile.arch(), kernel.path(),
                            held.file(builds.localFile(initrd)), cmdline);
                    if (layout.usesUki()) {
                        // nested builds on this build thread: they run under this build's slot
                        Path uki = held.file(isoUki(profile, labels, stub, kernel, initrd, cmdline, request, signing));
                        Path loader = signing.isPresent()
                                ? held.file(SignedSystemdBoot.of(builds, sdBoot, labels, signing.get())) : sdBoot.path();
                        iso = iso.withUefi(loader, uki);
                    }
                    if (signing.isPresent()) {
                        iso = iso.withSecureBootEnrollment(enroll, enrollmentFiles(signing.get(), wellKnown,
                                Files.createDirectories(work.resolve("enrollment"))));
                    }
                    return isoBuilder.build(layout, iso, work.resolve("iso"));
                }
            });
        }));
    }

    /**
     * The UKI of the ISO's ESP: the ISO cmdline as {@code main}, plus the {@code reset} profile (>= 1.10); signed
     * for SecureBoot.
     */
    private ArtifactLease isoUki(Profile profile, BuildLabels labels, ReleaseFile stub, ReleaseFile kernel,
            CachedArtifact initrd, String cmdline, BuildRequest request, Optional<SigningMaterial> signing) {
        CacheKey key = Keys.of(profile, UKI_STEP_VERSION, "input.stub=" + stub.sha256(),
                "input.kernel=" + kernel.sha256(), "input.initramfs=" + initrd.sha256(), "cmdline=" + cmdline,
                "signer=" + signing.map(SigningMaterial::fingerprint).orElse("-"));
        return builds.leaseIntermediate(key, UKI_INTERMEDIATE, labels, work -> {
            try (ArtifactLease initrdFile = builds.localFile(initrd)) {
                UkiInputs inputs = UkiInputs.of(stub.path(), kernel.path(), initrdFile.file(), cmdline,
                        request.versionTag(), request.quirks()).withExtraProfiles(List.of(UkiProfile.isoReset(cmdline)));
                return UkiStep.assemble(ukiBuilder, inputs, signing, work);
            }
        });
    }

    /** {@code EFI/keys/uki-signing-cert.der} and {@code loader/keys/auto/{PK,KEK,db}.auth} (§5.3, §5.6). */
    private static Map<String, Path> enrollmentFiles(SigningMaterial signing, boolean wellKnown, Path dir)
            throws IOException {
        EnrollmentKeys keys = EnrollmentKeys.create(signing, wellKnown);
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("EFI/keys/uki-signing-cert.der", Files.write(dir.resolve("uki-signing-cert.der"), keys.signingCertDer()));
        files.put("loader/keys/auto/PK.auth", Files.write(dir.resolve("PK.auth"), keys.pk()));
        files.put("loader/keys/auto/KEK.auth", Files.write(dir.resolve("KEK.auth"), keys.kek()));
        files.put("loader/keys/auto/db.auth", Files.write(dir.resolve("db.auth"), keys.db()));
        return files;
    }

    /** {@code customization.secureboot.enrollKeys}: {@code if-safe} when empty; anything else unknown → 400. */
    static String enrollMode(Schematic.SecureBoot secureBoot) {
        String mode = secureBoot == null || secureBoot.enrollKeys() == null || secureBoot.enrollKeys().isEmpty()
                ? "if-safe" : secureBoot.enrollKeys();
        if (!LoaderConf.ENROLL_MODES.contains(mode)) {
            throw new InvalidInputException("invalid secureboot enrollKeys value \"" + mode
                    + "\": must be one of off, manual, if-safe, force");
        }
        return mode;
    }
}
