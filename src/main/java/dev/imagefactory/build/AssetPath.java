package dev.imagefactory.build;

import dev.imagefactory.model.DiskFormat;
import dev.imagefactory.model.OutputCompression;
import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.Platform;
import dev.imagefactory.model.Profile;
import dev.imagefactory.model.Profile.DiskImageOptions;
import dev.imagefactory.model.SchematicId;
import dev.imagefactory.model.TalosVersion;

import dev.imagefactory.model.Arch;
import dev.imagefactory.errors.InvalidInputException;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code :path} of {@code /image/{schematic}/{version}/{path}}, parsed once at the edge (talos-imager.md §8.2,
 * image-factory-reference.md §1.4, upstream {@code profile.ParseFromPath}). Patterns are tried in upstream's order
 * and the first match wins:
 * <pre>
 *   kernel-&lt;arch&gt;                                    KERNEL     (platform metal, no -secureboot)
 *   cmdline-&lt;platform&gt;-&lt;arch&gt;[-secureboot]           CMDLINE
 *   initramfs-&lt;arch&gt;.xz                             INITRAMFS  (platform metal)
 *   &lt;platform&gt;-&lt;arch&gt;[-secureboot].iso               ISO
 *   &lt;platform&gt;-&lt;arch&gt;[-secureboot]-uki.efi           UKI
 *   installer-&lt;arch&gt;[-secureboot].tar                INSTALLER  (platform metal)
 *   &lt;platform&gt;-installer-&lt;arch&gt;[-secureboot].tar     INSTALLER
 *   &lt;platform&gt;-&lt;arch&gt;[-secureboot].&lt;disk&gt;[&lt;compr&gt;]  IMAGE      disk: raw|qcow2|vhd|ova (required),
 *                                                               compression: .tar.gz|.gz|.xz|.zst|none
 * </pre>
 * A trailing {@code .sha256}, {@code .sha512} or {@code .sigstore.json} asks for a sidecar of the asset; it is
 * stripped first and reported in {@link #sidecar()}.
 *
 * <p>Differences from upstream, all in the direction of honest 4xx answers: the platform name is checked here
 * ({@code unknown platform "foo"}, 400; upstream fails inside the imager with 500). Every accepted path is made of
 * known tokens only, so {@link #filename()} is safe to use as a file name.
 *
 * @param filename   the path without the sidecar suffix: the asset's download name and the input of
 *                   {@link #contentType()}
 * @param sidecar    the sidecar requested instead of the asset itself, if any
 * @param disk       disk format and compression; present exactly when {@code kind} is {@link OutputKind#IMAGE}
 */
public record AssetPath(
        String filename,
        Optional<Sidecar> sidecar,
        OutputKind kind,
        Platform platform,
        Arch arch,
        boolean secureBoot,
        Optional<DiskOutput> disk) {

    /** Longest path we look at; real ones are under 60 characters. */
    private static final int MAX_LENGTH = 256;
    private static final String SECUREBOOT = "-secureboot";
    private static final String REFUSAL_PREFIX = "error parsing profile from path: ";

    public AssetPath {
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(sidecar, "sidecar");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(disk, "disk");
        if (disk.isPresent() != (kind == OutputKind.IMAGE)) {
            throw new IllegalArgumentException("disk options go with disk images, and only with them");
        }
    }

    /** A file that accompanies an asset, requested by suffixing the asset's path. */
    public enum Sidecar {
        /** {@code <hex>  <filename>\n}, SHA-256. */
        SHA256(".sha256", "SHA-256"),
        /** {@code <hex>  <filename>\n}, SHA-512. */
        SHA512(".sha512", "SHA-512"),
        /** A Sigstore bundle signing the asset (upstream Enterprise). */
        SIGSTORE_BUNDLE(".sigstore.json", null);

        private final String suffix;
        private final String digestAlgorithm;

        Sidecar(String suffix, String digestAlgorithm) {
            this.suffix = suffix;
            this.digestAlgorithm = digestAlgorithm;
        }

        public String suffix() {
            return suffix;
        }

        /** The JCA name of the checksum's digest; null for {@link #SIGSTORE_BUNDLE}. */
        public String digestAlgorithm() {
            return digestAlgorithm;
        }

        public boolean isChecksum() {
            return digestAlgorithm != null;
        }
    }

    /** How a disk image is packaged: container format, then compression. */
    public record DiskOutput(DiskFormat format, OutputCompression compression) {
        public DiskOutput {
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(compression, "compression");
        }
    }

    /**
     * Parses an asset path. Refusals are {@link InvalidInputException}s (400), {@code error parsing profile from path: }
     * followed by one of: {@code invalid profile path: "..."} (no pattern fits, e.g. a disk image without its format
     * suffix), {@code invalid platform-arch: "..."}, {@code invalid architecture: "..."} (the reference's texts),
     * {@code unknown platform "..."} (ours).
     */
    public static AssetPath parse(String requested) {
        if (requested == null || requested.isEmpty() || requested.length() > MAX_LENGTH) {
            throw invalidPath(requested);
        }
        String path = requested;
        Sidecar sidecar = null;
        // upstream: the signature suffix is tested first, and a signature request skips the checksum suffixes
        for (Sidecar s : new Sidecar[] {Sidecar.SIGSTORE_BUNDLE, Sidecar.SHA512, Sidecar.SHA256}) {
            if (path.endsWith(s.suffix())) {
                sidecar = s;
                path = path.substring(0, path.length() - s.suffix().length());
                break;
            }
        }
        return parseAsset(path, Optional.ofNullable(sidecar));
    }

    private static AssetPath parseAsset(String path, Optional<Sidecar> sidecar) {
        String rest;
        if ((rest = cutPrefix(path, "kernel-")) != null) {
            return new AssetPath(path, sidecar, OutputKind.KERNEL, Platform.METAL, arch(rest), false, Optional.empty());
        }
        if ((rest = cutPrefix(path, "cmdline-")) != null) {
            return platformArch(path, sidecar, OutputKind.CMDLINE, rest, Optional.empty());
        }
        rest = cutPrefix(path, "initramfs-");
        if (rest != null && (rest = cutSuffix(rest, ".xz")) != null) {
            return new AssetPath(path, sidecar, OutputKind.INITRAMFS, Platform.METAL, arch(rest), false,
                    Optional.empty());
        }
        if ((rest = cutSuffix(path, ".iso")) != null) {
            return platformArch(path, sidecar, OutputKind.ISO, rest, Optional.empty());
        }
        if ((rest = cutSuffix(path, "-uki.efi")) != null) {
            return platformArch(path, sidecar, OutputKind.UKI, rest, Optional.empty());
        }
        rest = cutPrefix(path, "installer-");
        if (rest != null && (rest = cutSuffix(rest, ".tar")) != null) {
            String archText = cutSuffix(rest, SECUREBOOT);
            boolean secureBoot = archText != null;
            return new AssetPath(path, sidecar, OutputKind.INSTALLER, Platform.METAL,
                    arch(secureBoot ? archText : rest), secureBoot, Optional.empty());
        }
        int installer = path.indexOf("-installer-");
        if (installer >= 0) {
            String archPart = cutSuffix(path.substring(installer + "-installer-".length()), ".tar");
            if (archPart != null) {
                return platformArch(path, sidecar, OutputKind.INSTALLER,
                        path.substring(0, installer) + "-" + archPart, Optional.empty());
            }
        }
        return diskImage(path, sidecar);
    }

    private static AssetPath diskImage(String path, Optional<Sidecar> sidecar) {
        String rest = path;
        OutputCompression compression = OutputCompression.NONE;
        for (OutputCompression c : OutputCompression.values()) {
            String cut = c == OutputCompression.NONE ? null : cutSuffix(rest, c.suffix());
            if (cut != null) {
                compression = c;
                rest = cut;
                break;
            }
        }
        for (DiskFormat format : DiskFormat.values()) {
            String platformArch = cutSuffix(rest, "." + format.extension());
            if (platformArch != null) {
                return platformArch(path, sidecar, OutputKind.IMAGE, platformArch,
                        Optional.of(new DiskOutput(format, compression)));
            }
        }
        throw invalidPath(rest); // as the reference: what is left once the compression suffix is cut
    }

    /** {@code <platform>-<arch>[-secureboot]}; {@code digital-ocean} is the one platform with a dash. */
    private static AssetPath platformArch(String path, Optional<Sidecar> sidecar, OutputKind kind, String text,
            Optional<DiskOutput> disk) {
        String s = text;
        String withoutSecureBoot = cutSuffix(s, SECUREBOOT);
        boolean secureBoot = withoutSecureBoot != null;
        if (secureBoot) {
            s = withoutSecureBoot;
        }
        int dash = s.indexOf('-');
        if (dash < 0) {
            throw refusal("invalid platform-arch: " + quoted(s));
        }
        String platformName = s.substring(0, dash);
        String archText = s.substring(dash + 1);
        if (platformName.equals("digital") && archText.startsWith("ocean-")) {
            platformName = "digital-ocean";
            archText = archText.substring("ocean-".length());
        }
        Arch arch = arch(archText); // upstream checks the arch; its error wins over ours for the platform
        Platform platform;
        try {
            platform = Platform.parse(platformName);
        } catch (InvalidInputException e) {
            throw refusal(e.getMessage()); // ours: the reference leaves platforms to the imager (500)
        }
        return new AssetPath(path, sidecar, kind, platform, arch, secureBoot, disk);
    }

    /**
     * {@code <platform>-<arch>[-secureboot]} of a PXE request ({@code /pxe/{schematic}/{version}/{path}},
     * image-factory-reference.md §2). Upstream prepends {@code cmdline-} and parses the result as an asset path;
     * this does the same, so the answer is the cmdline asset to build.
     */
    public static AssetPath parsePxe(String path) {
        if (path == null || path.isEmpty() || path.length() > MAX_LENGTH) {
            throw invalidPath(path);
        }
        return platformArch("cmdline-" + path, Optional.empty(), OutputKind.CMDLINE, path, Optional.empty());
    }

    /**
     * The installer tarball of {@code platform} for {@code arch}, as {@link #parse} reads it from
     * {@code [<platform>-]installer-<arch>[-secureboot].tar}, built from its parts (the registry's per-architecture
     * requests: no path text to write and parse again).
     *
     * @param platformInName whether the file name names the platform ({@code metal-installer-amd64.tar}) or not
     *                       ({@code installer-amd64.tar}, platform metal)
     */
    public static AssetPath installer(Platform platform, Arch arch, boolean secureBoot, boolean platformInName) {
        if (!platformInName && platform != Platform.METAL) {
            throw new IllegalArgumentException("installer-<arch>.tar is metal's; " + platform + " is named");
        }
        String filename = (platformInName ? platform.pathName() + "-" : "") + "installer-" + arch.goName()
                + (secureBoot ? SECUREBOOT : "") + ".tar";
        return new AssetPath(filename, Optional.empty(), OutputKind.INSTALLER, platform, arch, secureBoot,
                Optional.empty());
    }

    /** The path as requested: {@link #filename()} plus the sidecar suffix. */
    public String requestedPath() {
        return filename + sidecar.map(Sidecar::suffix).orElse("");
    }

    /**
     * The asset's media type, by the last extension of {@link #filename()} (upstream {@code internal/mime}):
     * {@code .efi}, {@code .iso}, {@code .xz}, {@code .gz}, {@code .qcow2} as upstream hard-codes them;
     * {@code .zst} and {@code .tar} as upstream's tests expect from Go's MIME table ({@code application/zstd},
     * {@code application/x-tar}); everything else, including extension-less {@code kernel-amd64} and
     * {@code cmdline-metal-amd64}, {@code .raw}, {@code .vhd} and {@code .ova}, is {@code application/octet-stream}
     * (Go's table has no entry for those; an OVA is a tar inside, but upstream does not say so either).
     */
    public String contentType() {
        int dot = filename.lastIndexOf('.');
        String ext = dot < 0 ? "" : filename.substring(dot);
        return switch (ext) {
            case ".efi" -> "application/efi";
            case ".iso" -> "application/x-iso9660-image";
            case ".xz" -> "application/x-xz";
            case ".gz" -> "application/gzip";
            case ".qcow2" -> "application/x-qemu-disk";
            case ".zst" -> "application/zstd";
            case ".tar" -> "application/x-tar";
            default -> "application/octet-stream";
        };
    }

    private static Arch arch(String text) {
        try {
            return Arch.parse(text);
        } catch (InvalidInputException e) {
            throw refusal("invalid architecture: " + quoted(text));
        }
    }

    private static String cutPrefix(String s, String prefix) {
        return s.startsWith(prefix) ? s.substring(prefix.length()) : null;
    }

    private static String cutSuffix(String s, String suffix) {
        return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : null;
    }

    private static InvalidInputException invalidPath(String path) {
        return refusal("invalid profile path: " + quoted(path));
    }

    /**
     * A refusal worded as the reference's (its handler wraps every {@code ParseFromPath} error in this prefix; clients
     * match on the texts, e.g. {@code error parsing profile from path: invalid profile path: "metal-amd64.ssd"}).
     */
    private static InvalidInputException refusal(String reason) {
        return new InvalidInputException(REFUSAL_PREFIX + reason);
    }

    /** Quotes client text for a one-line message: control and non-ASCII characters become '?', long text is cut. */
    private static String quoted(String text) {
        if (text == null) {
            return "\"\"";
        }
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return "\"" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }

    /** The build profile this path asks for, of {@code schematicId} at {@code version}. */
    public Profile profile(SchematicId schematicId, TalosVersion version) {
        Optional<DiskImageOptions> diskOptions = disk().map(
                d -> DiskImageOptions.forPlatform(platform(), d.format(), d.compression()));
        return new Profile(schematicId, version, kind(), platform(), arch(), secureBoot(), diskOptions);
    }
}
