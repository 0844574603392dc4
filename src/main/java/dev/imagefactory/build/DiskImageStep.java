package dev.imagefactory.build;

import dev.imagefactory.build.disk.DiskContents;
import dev.imagefactory.build.disk.DiskFormats;
import dev.imagefactory.build.disk.DiskImageBuilder;
import dev.imagefactory.build.disk.DiskLayout;
import dev.imagefactory.build.disk.DiskShape;
import dev.imagefactory.build.disk.GrubDiskBoot;
import dev.imagefactory.build.installer.OverlayLayer;
import dev.imagefactory.build.overlay.OverlayInstaller;
import dev.imagefactory.build.overlay.OverlayProfile;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.schematic.Bootloader;
import java.io.IOException;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.model.Arch;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.model.DiskFormat;
import dev.imagefactory.model.OutputCompression;
import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.PlanValue;
import dev.imagefactory.model.Profile;
import dev.imagefactory.model.Quirks;
import dev.imagefactory.schematic.Schematic;
import dev.imagefactory.schematic.Schematic.MetaValue;
import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.tools.ProcessRunner;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code <platform>-<arch>[-secureboot].<raw|qcow2|vhd|ova>[.xz|.zst|.gz|.tar.gz]} (talos-imager.md §6): one plan
 * per stage, so what only the wrapping changes is shared — the raw image (this step: layout, partitions, file
 * systems, bootloaders, META; kept as a compact local intermediate), then {@link DiskFormatStep} for raw, qcow2,
 * vhd or ova, then {@link DiskCompressionStep}. The raw image reuses the schematic's initramfs, the disk UKI
 * (installer profiles) and the signed systemd-boot plans. The last stage is the output (shared store).
 */
@Singleton
class DiskImageStep implements OutputStep, FileStep {

    private static final String BUILDER_VERSION = "disk-image-1";
    /** The value Talos' installer reads to know the image boots both ways; machined wipes it on first boot (§6.5). */
    static final int DUAL_BOOT_META_KEY = 0x11;
    /** The raw image's metric label (an intermediate of every disk image output). */
    static final String RAW_LABEL = "disk-raw";

    /**
     * @param baseSizeBytes the platform's size before the layout's additions (§6.1)
     * @param meta          the META values in the order they are applied (later keys win)
     */
    record Inputs(DiskLayout layout, Quirks quirks, Arch arch, String versionTag, long baseSizeBytes, int sectorSize,
            String cmdline, Optional<ReleaseInput> kernel, Optional<BuildPlan> initramfs, Optional<BuildPlan> uki,
            Optional<IsoStep.Loader> systemdBoot, Optional<Signer> signer, String enroll,
            boolean includeWellKnownCertificates, List<MetaValue> meta, Optional<BoardOverlay> overlay) {
    }

    /**
     * A single-board computer's overlay on a disk image (talos-imager.md §1.7, §1.8, §6.3).
     *
     * @param host          the overlay image for the build host's architecture: its installer runs, its artifacts go in
     * @param entriesOffset sectors the GPT's entries move by, as the installer's {@code get-options} said
     * @param optionsYaml   the schematic's overlay options as both installer calls get them
     */
    record BoardOverlay(InstallerStep.Overlay host, long entriesOffset, OverlayOptions options) {
    }

    /** The schematic's overlay options: the map the installer gets, known to the plan by its YAML. */
    record OverlayOptions(Map<Object, Object> map, String yaml) implements PlanValue {
        @Override
        public String canonical() {
            return yaml;
        }
    }

    private final ReleaseFiles releaseFiles;
    private final InitramfsStep initramfs;
    private final UkiStep uki;
    private final SignedSystemdBoot signedSystemdBoot;
    private final DiskFormatStep format;
    private final DiskCompressionStep compression;
    private final SecureBootKeys keys;
    private final DiskImageBuilder builder;
    private final ProcessRunner runner;
    private final SchematicOverlay overlays;
    /** get-options answers by overlay image and options: plans are made per request, the answer never changes. */
    private final Map<String, OverlayInstaller.Options> overlayOptions = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, OverlayInstaller.Options> eldest) {
                    return size() > 256;
                }
            });

    @Inject
    DiskImageStep(ReleaseFiles releaseFiles, InitramfsStep initramfs, UkiStep uki, SignedSystemdBoot signedSystemdBoot,
            DiskFormatStep format, DiskCompressionStep compression, SecureBootKeys keys, DiskImageBuilder builder,
            ProcessRunner runner, SchematicOverlay overlays) {
        this.releaseFiles = releaseFiles;
        this.initramfs = initramfs;
        this.uki = uki;
        this.signedSystemdBoot = signedSystemdBoot;
        this.format = format;
        this.compression = compression;
        this.keys = keys;
        this.builder = builder;
        this.runner = runner;
        this.overlays = overlays;
    }

    @Override
    public StepKind kind() {
        return StepKind.DISK_IMAGE;
    }

    @Override
    public OutputKind output() {
        return OutputKind.IMAGE;
    }

    /**
     * The plan of the URL's stage: the raw image (always a local intermediate, kept compact), then its format (raw
     * too: expanding it is the step that serves {@code .raw}), then the compression, each needing the one before.
     * A compressed raw image is compressed straight from the intermediate.
     */
    @Override
    public BuildPlan plan(BuildRequest request) {
        Profile.DiskImageOptions options = request.profile().disk().orElseThrow();
        boolean compressed = options.compression() != OutputCompression.NONE;
        BuildLabels labels = request.profile().labels();
        BuildPlan plan = raw(request);
        if (options.format() != DiskFormat.RAW || !compressed) {
            plan = format.plan(plan, options.format(), options.formatOptions(), labels, !compressed);
        }
        if (compressed) {
            plan = compression.plan(plan, options.compression(), labels);
        }
        return plan;
    }

    /**
     * The raw image of {@code request}, as a local intermediate in compact form ({@link DiskFormats#compact});
     * refuses (400) what the image cannot have before anything is built.
     */
    BuildPlan raw(BuildRequest request) {
        Profile profile = request.profile();
        Quirks quirks = request.quirks();
        Schematic.Customization customization = request.schematic().schematic().customization();
        Optional<OverlayImage> target = overlays.image(request, profile.arch());
        OverlayProfile board = target.map(OverlayProfile::of).orElse(OverlayProfile.NONE);
        Bootloader requested = customization.bootloader() != null && customization.bootloader() != Bootloader.NONE
                ? customization.bootloader() : board.bootloader().orElse(Bootloader.NONE);
        DiskLayout layout = DiskLayout.choose(quirks, profile.version(), profile.arch(), profile.secureBoot(),
                requested);
        Optional<BoardOverlay> overlay = Optional.empty();
        List<String> overlayKernelArgs = List.of();
        if (target.isPresent()) {
            OverlayImage host = overlays.image(request, OverlayInstaller.hostArch()).orElseThrow();
            Map<Object, Object> map = request.schematic().schematic().overlay().options();
            OverlayOptions options = new OverlayOptions(map,
                    new String(OverlayLayer.extraOptions(map), StandardCharsets.UTF_8));
            OverlayInstaller.Options answer = getOptions(host, options.yaml());
            overlayKernelArgs = answer.kernelArgs();
            overlay = Optional.of(new BoardOverlay(new InstallerStep.Overlay(host),
                    answer.partitionOffsetLbas(), options));
        }
        int sectorSize = DiskShape.sectorSize(clamp(customization.diskImageSectorSize()));
        if (sectorSize != 512 && layout == DiskLayout.GRUB) {
            // FAT32 with 4 KiB sectors needs ~260 MiB; GRUB's ESP is 100 MiB (FatImage)
            throw new InvalidInputException("diskImage sectorSize " + sectorSize + " needs the sd-boot or dual-boot "
                    + "bootloader: the grub layout's 100 MiB EFI partition cannot be FAT32 with " + sectorSize
                    + "-byte sectors");
        }
        Optional<Signer> signer = profile.secureBoot() ? Optional.of(new Signer(keys.requireEnabled())) : Optional.empty();
        String enroll = signer.isPresent() ? IsoStep.enrollMode(customization.secureBoot()) : "off";
        boolean wellKnown = signer.isPresent() && customization.secureBoot() != null
                && customization.secureBoot().includeWellKnownCertificates();
        String cmdline = target.isEmpty() ? CmdlineStep.cmdline(request)
                : CmdlineBuilder.forSchematic(profile.platform(), profile.arch(), quirks, profile.kind(),
                        profile.secureBoot(), withExtraArgsFirst(customization, board.extraKernelArgs()),
                        overlayKernelArgs).render();
        Optional<ReleaseInput> kernel = Optional.empty();
        Optional<BuildPlan> initramfsPlan = Optional.empty();
        if (layout.usesGrub()) {
            GrubDiskBoot.config(request.versionTag(), cmdline, quirks.supportsResetGrubOption()); // 400 before building
            kernel = Optional.of(releaseFiles.require(profile.version(), profile.arch(), BootFile.KERNEL));
            initramfsPlan = Optional.of(initramfs.plan(request));
        }
        Optional<BuildPlan> ukiPlan = Optional.empty();
        Optional<IsoStep.Loader> loader = Optional.empty();
        if (layout.usesUki()) {
            ukiPlan = Optional.of(uki.plan(request, UkiStep.Use.DISK));
            loader = Optional.of(signer.isPresent()
                    ? new IsoStep.Loader(Optional.empty(), Optional.of(signedSystemdBoot.plan(profile, signer.get())))
                    : new IsoStep.Loader(Optional.of(releaseFiles.require(profile.version(), profile.arch(),
                            BootFile.SD_BOOT)), Optional.empty()));
        }
        Inputs inputs = new Inputs(layout, quirks, profile.arch(), request.versionTag(),
                profile.disk().orElseThrow().baseSizeBytes(), sectorSize, cmdline, kernel, initramfsPlan, ukiPlan,
                loader, signer, enroll, wellKnown, meta(customization, layout, profile, quirks), overlay);
        return BuildPlan.intermediate(kind(), BUILDER_VERSION, inputs, profile.labels().intermediate(RAW_LABEL));
    }

    /** The schematic's META values, then the automatic {@code 0x11=dual-boot} of §6.5 (amd64, >= 1.10, dual-boot). */
    private static List<MetaValue> meta(Schematic.Customization customization, DiskLayout layout, Profile profile,
            Quirks quirks) {
        List<MetaValue> values = new ArrayList<>(customization.meta());
        if (layout == DiskLayout.DUAL_BOOT && profile.arch() == Arch.AMD64 && !profile.secureBoot()
                && quirks.useSdBootForUefi()) {
            values.add(new MetaValue(DUAL_BOOT_META_KEY, DiskLayout.DUAL_BOOT.bootloaderName()));
        }
        return List.copyOf(values);
    }

    /** {@code get-options} of the build host's overlay image for these options, asked once. */
    private OverlayInstaller.Options getOptions(OverlayImage host, String optionsYaml) {
        String key = host.name() + "@" + host.identity() + "\n" + optionsYaml;
        OverlayInstaller.Options known = overlayOptions.get(key);
        if (known != null) {
            return known;
        }
        Path scratch = Path.of(System.getProperty("java.io.tmpdir"));
        OverlayInstaller.Options answer = new OverlayInstaller(runner, host, scratch)
                .getOptions(optionsYaml.getBytes(StandardCharsets.UTF_8));
        overlayOptions.put(key, answer);
        return answer;
    }

    /** The overlay profile's extra kernel args go before the schematic's (its profile is merged first, §1.7). */
    private static Schematic.Customization withExtraArgsFirst(Schematic.Customization c, List<String> first) {
        if (first.isEmpty()) {
            return c;
        }
        List<String> args = new ArrayList<>(first);
        args.addAll(c.extraKernelArgs());
        return new Schematic.Customization(c.embeddedMachineConfiguration(), List.copyOf(args), c.meta(),
                c.officialExtensions(), c.bootloader(), c.secureBoot(), c.diskImageSectorSize());
    }

    /** A sector size too big for an int is as invalid as any other unsupported one. */
    private static long clamp(BigInteger sectorSize) {
        return sectorSize == null ? 0 : sectorSize.bitLength() > 31 ? -1 : sectorSize.longValue();
    }

    /** The board's {@code install}, with its scratch below the build's work directory; returns its ESP files. */
    private Path install(BoardOverlay overlay, Path disk, Path mountPrefix, Path work) throws IOException {
        OverlayImage host = overlay.host().image();
        new OverlayInstaller(runner, host, Files.createDirectories(work.resolve("overlay-scratch")))
                .install(disk, mountPrefix, host.artifacts(), overlay.options().map());
        return OverlayInstaller.efiOutput(mountPrefix);
    }

    @Override
    public Path execute(BuildPlan plan, NeededFiles needs, Path work, StepProgress progress) throws Exception {
        Inputs in = plan.inputs(Inputs.class);
        DiskShape shape = DiskShape.of(in.layout(), in.quirks(), in.baseSizeBytes(), in.sectorSize());
        Map<String, Path> extra = Map.of();
        if (in.signer().isPresent()) {
            extra = IsoStep.enrollmentFiles(in.signer().get().material(), in.includeWellKnownCertificates(),
                    Files.createDirectories(work.resolve("enrollment")));
        }
        Optional<Path> loader = in.systemdBoot().map(l -> l.signed().isPresent() ? needs.file(l.signed().get())
                : l.release().orElseThrow().path());
        SortedMap<Integer, byte[]> meta = new TreeMap<>();
        for (MetaValue value : in.meta()) {
            meta.put(value.key(), value.value().getBytes(StandardCharsets.UTF_8));
        }
        DiskContents contents = new DiskContents(in.layout(), in.arch(), in.quirks(), in.versionTag(), in.cmdline(),
                in.kernel().map(ReleaseInput::path), in.initramfs().map(needs::file), loader,
                in.uki().map(needs::file), in.signer().isPresent() ? Optional.of(in.enroll()) : Optional.empty(),
                extra, meta, in.overlay().map(BoardOverlay::entriesOffset).orElse(0L),
                in.overlay().map(o -> (disk, mountPrefix) -> install(o, disk, mountPrefix, work)));
        Path raw = work.resolve("disk.raw");
        builder.build(shape, contents, raw, Files.createDirectories(work.resolve("scratch")));
        Path compact = work.resolve("disk.qcow2");
        DiskFormats.compact(runner, raw, compact);
        Files.delete(raw);
        return compact;
    }
}
