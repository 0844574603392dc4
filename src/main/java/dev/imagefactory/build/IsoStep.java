package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.Profile;
import dev.imagefactory.model.Quirks;

import dev.imagefactory.build.iso.GrubConfig;
import dev.imagefactory.build.iso.IsoBuilder;
import dev.imagefactory.build.iso.IsoInputs;
import dev.imagefactory.build.iso.IsoLayout;
import dev.imagefactory.model.Arch;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.build.iso.LoaderConf;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.schematic.Schematic;
import dev.imagefactory.secureboot.EnrollmentKeys;
import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.secureboot.SigningMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code <platform>-<arch>.iso} (talos-imager.md §5): the layout chosen by version and the schematic's
 * {@code bootloader} ({@link IsoLayout#choose}), built from the release's kernel, the schematic's cached
 * {@code initramfs-<arch>.xz} (reused, not rebuilt) and the ISO cmdline (§3.2 step 3 {@code talos.halt_if_installed=1}
 * from 1.8, META and extra args per §3.5). UEFI-only and hybrid ISOs carry systemd-boot and a UKI whose second
 * profile resets the system disk (§4.2): the UKI step's plan for the ISO, an intermediate product
 * ({@code output_kind="iso-uki"}).
 *
 * <p>SecureBoot ISOs are UEFI-only (§5.1): systemd-boot and the UKI signed with our key, and on the ESP our
 * certificate and the PK/KEK/db {@code .auth} files systemd-boot enrolls from {@code loader/keys/auto} as
 * {@code customization.secureboot.enrollKeys} says (default {@code if-safe}).
 */
@Singleton
class IsoStep implements OutputStep, FileStep {

    /** iso-2: grub.cfg arguments written by GrubLinuxArgs (single quotes instead of Talos' backslashes). */
    private static final String BUILDER_VERSION = "iso-2";

    /**
     * @param uki         the ISO's UKI (with the {@code reset} profile), for layouts that boot one
     * @param systemdBoot the loader: the release's as it is, or the signed one for SecureBoot
     * @param enroll      {@code customization.secureboot.enrollKeys} as systemd-boot reads it
     */
    record Inputs(IsoLayout layout, ReleaseInput kernel, BuildPlan initramfs, String cmdline, String versionTag,
            Quirks quirks, Arch arch, Optional<BuildPlan> uki, Optional<Loader> systemdBoot,
            Optional<Signer> signer, String enroll, boolean includeWellKnownCertificates) {
    }

    /** systemd-boot on the ESP: the release's file, or the plan that signs it. */
    record Loader(Optional<ReleaseInput> release, Optional<BuildPlan> signed) {
    }

    private final ReleaseFiles releaseFiles;
    private final InitramfsStep initramfs;
    private final UkiStep uki;
    private final SignedSystemdBoot signedSystemdBoot;
    private final IsoBuilder isoBuilder;
    private final SecureBootKeys keys;

    @Inject
    IsoStep(ReleaseFiles releaseFiles, InitramfsStep initramfs, UkiStep uki, SignedSystemdBoot signedSystemdBoot,
            IsoBuilder isoBuilder, SecureBootKeys keys) {
        this.releaseFiles = releaseFiles;
        this.initramfs = initramfs;
        this.uki = uki;
        this.signedSystemdBoot = signedSystemdBoot;
        this.isoBuilder = isoBuilder;
        this.keys = keys;
    }

    @Override
    public StepKind kind() {
        return StepKind.ISO;
    }

    @Override
    public OutputKind output() {
        return OutputKind.ISO;
    }

    @Override
    public BuildPlan plan(BuildRequest request) {
        Profile profile = request.profile();
        Schematic.Customization customization = request.schematic().schematic().customization();
        Optional<Signer> signer = profile.secureBoot() ? Optional.of(new Signer(keys.requireEnabled())) : Optional.empty();
        String enroll = signer.isPresent() ? enrollMode(customization.secureBoot()) : LoaderConf.ENROLL_OFF;
        boolean wellKnown = signer.isPresent() && customization.secureBoot() != null
                && customization.secureBoot().includeWellKnownCertificates();
        IsoLayout layout = IsoLayout.choose(request.quirks(), profile.arch(), profile.secureBoot(),
                customization.bootloader());
        ReleaseInput kernel = releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL);
        String cmdline = CmdlineStep.cmdline(request);
        if (layout != IsoLayout.UEFI) {
            GrubConfig.render(cmdline, false); // an argument GRUB cannot carry is a 400 before anything is built
        }
        Optional<BuildPlan> isoUki = Optional.empty();
        Optional<Loader> loader = Optional.empty();
        if (layout.usesUki()) {
            isoUki = Optional.of(uki.plan(request, UkiStep.Use.ISO));
            loader = Optional.of(signer.isPresent()
                    ? new Loader(Optional.empty(), Optional.of(signedSystemdBoot.plan(profile, signer.get())))
                    : new Loader(Optional.of(releaseFiles.require(profile.version(), profile.arch(), BootFile.SD_BOOT)),
                            Optional.empty()));
        }
        Inputs inputs = new Inputs(layout, kernel, initramfs.plan(request), cmdline, request.versionTag(),
                request.quirks(), profile.arch(), isoUki, loader, signer, enroll, wellKnown);
        return BuildPlan.output(kind(), BUILDER_VERSION, inputs, profile.labels());
    }

    @Override
    public Path execute(BuildPlan plan, NeededFiles needs, Path work, StepProgress progress) throws Exception {
        Inputs in = plan.inputs(Inputs.class);
        IsoInputs iso = IsoInputs.grub(in.versionTag(), in.quirks(), in.arch(), in.kernel().path(),
                needs.file(in.initramfs()), in.cmdline());
        if (in.uki().isPresent()) {
            Loader loader = in.systemdBoot().orElseThrow();
            Path loaderFile = loader.signed().isPresent() ? needs.file(loader.signed().get())
                    : loader.release().orElseThrow().path();
            iso = iso.withUefi(loaderFile, needs.file(in.uki().get()));
        }
        if (in.signer().isPresent()) {
            iso = iso.withSecureBootEnrollment(in.enroll(), enrollmentFiles(in.signer().get().material(),
                    in.includeWellKnownCertificates(), Files.createDirectories(work.resolve("enrollment"))));
        }
        return isoBuilder.build(in.layout(), iso, work.resolve("iso"));
    }

    /** {@code EFI/keys/uki-signing-cert.der} and {@code loader/keys/auto/{PK,KEK,db}.auth} (§5.3, §5.6). */
    static Map<String, Path> enrollmentFiles(SigningMaterial signing, boolean wellKnown, Path dir)
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
