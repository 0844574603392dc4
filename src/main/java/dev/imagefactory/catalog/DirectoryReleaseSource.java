package dev.imagefactory.catalog;

import dev.imagefactory.model.Arch;
import dev.imagefactory.model.TalosVersion;

import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageIndex;
import dev.imagefactory.oci.ManifestSelector;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.oci.NoMatchingPlatformException;
import dev.imagefactory.oci.OciLayout;
import dev.imagefactory.oci.Platform;
import dev.imagefactory.oci.ResolvedManifest;
import dev.imagefactory.signing.ImageTrust;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Releases in a local directory ({@code factory.releases.dir}), one sub-directory per version in the upstream
 * layouts:
 * <pre>
 * v1.11.0/usr/install/amd64/{vmlinuz,initramfs.xz,systemd-stub.efi,systemd-boot.efi}
 * v1.11.0/extensions/image-digests       optional, with extensions/descriptions.yaml
 * v1.11.0/extension-images/siderolabs/intel-ucode/   one per listed extension, named by repository path:
 *                                        manifest.yaml + rootfs/ (a flattened image), or an OCI image layout
 * v1.11.0/overlays/overlays.yaml         optional
 * v1.11.0/overlay-images/siderolabs/sbc-raspberrypi/   one per listed overlay image, named by repository path: an
 *                                        OCI image layout (multi-platform), flattened per architecture
 * v1.11.0/installer-base/                optional: the base installer image as an OCI image layout (talos-imager.md
 *                                        §1.2; v1.9.0/installer/ before 1.10), its blobs used in place
 * v1.11.0/extra-extensions/              optional, only with factory.extensions.extra.folder naming it: the extra
 *                                        (custom) extensions manifest (image-digests, descriptions.yaml) and its
 *                                        images under extension-images/acme/usb-modem/, read like the official ones
 * </pre>
 * Directories whose names are not versions are ignored. The directory is read on every call, so releases can be
 * added without a restart; the files are a few kilobytes. Extension and overlay images given as OCI layouts are
 * flattened once per architecture into the release cache, keyed by the manifest digest.
 */
public final class DirectoryReleaseSource implements ReleaseSource {

    private static final Logger LOG = Logger.getLogger(DirectoryReleaseSource.class);

    private final Path root;
    private final ReleaseCache cache;
    private final Optional<String> extraFolder;
    private final AtomicBoolean missingReported = new AtomicBoolean();
    private final FileDigests digests = new FileDigests();
    private final ImageTrust trust;

    /** A source that does not verify signatures and has no extra extensions. */
    public DirectoryReleaseSource(Path root, ReleaseCache cache) {
        this(root, cache, ImageTrust.OFF, Optional.empty());
    }

    /** A source that does not verify signatures. */
    public DirectoryReleaseSource(Path root, ReleaseCache cache, Optional<String> extraFolder) {
        this(root, cache, ImageTrust.OFF, extraFolder);
    }

    /** A source without extra extensions. */
    public DirectoryReleaseSource(Path root, ReleaseCache cache, ImageTrust trust) {
        this(root, cache, trust, Optional.empty());
    }

    /**
     * @param cache       where extension images given as OCI layouts are flattened
     * @param trust       the signatures every image used from an OCI layout must carry (in the layout's index.json)
     * @param extraFolder the folder of each version directory holding the extra extensions manifest and its images
     *                    ({@link ExtraExtensionsFolder#check checked} relative path); empty: no extra extensions
     */
    public DirectoryReleaseSource(Path root, ReleaseCache cache, ImageTrust trust, Optional<String> extraFolder) {
        this.root = root;
        this.cache = cache;
        this.trust = trust;
        this.extraFolder = extraFolder.map(ExtraExtensionsFolder::check);
    }

    /** A source whose extension images are all plain directories; an OCI layout among them is refused. */
    public DirectoryReleaseSource(Path root) {
        this(root, null);
    }

    @Override
    public Set<TalosVersion> versions() {
        return Set.copyOf(releaseDirectories().keySet());
    }

    @Override
    public Optional<List<OfficialExtension>> extensions(TalosVersion version) {
        return releaseDirectory(version).flatMap(dir -> extensionManifest(dir.resolve("extensions"), dir.toString()));
    }

    /** {@code <version>/<extra folder>/image-digests} with its {@code descriptions.yaml}, read as the official pair. */
    @Override
    public Optional<List<OfficialExtension>> extraExtensions(TalosVersion version) {
        return extraDirectory(version).flatMap(dir -> extensionManifest(dir, dir.toString()));
    }

    private Optional<Path> extraDirectory(TalosVersion version) {
        return extraFolder.flatMap(folder -> releaseDirectory(version).map(dir -> dir.resolve(folder)));
    }

    /** A folder's {@code image-digests} and optional {@code descriptions.yaml}; empty without image-digests. */
    private static Optional<List<OfficialExtension>> extensionManifest(Path dir, String where) {
        Optional<String> digests = read(dir.resolve("image-digests"));
        if (digests.isEmpty()) {
            return Optional.empty();
        }
        String descriptions = read(dir.resolve("descriptions.yaml")).orElse(null);
        return Optional.of(ExtensionManifestParser.parse(digests.get(), descriptions, where));
    }

    @Override
    public Optional<List<OfficialOverlay>> overlays(TalosVersion version) {
        Optional<Path> dir = releaseDirectory(version);
        return dir.flatMap(d -> read(d.resolve("overlays/overlays.yaml")))
                .map(yaml -> OverlayManifestParser.parse(yaml, dir.get().toString()));
    }

    /** The component's OCI layouts {@code <version>/<component>/}, tagged with the version directories' names. */
    @Override
    public Optional<SourceRepository> sourceRepository(String component) {
        if (!SourceRepository.COMPONENTS.contains(component)) {
            return Optional.empty();
        }
        return Optional.of(new DirectorySourceRepository(component, () -> {
            Map<String, Path> byTag = new LinkedHashMap<>();
            releaseDirectories().values().forEach(dir -> byTag.put(dir.getFileName().toString(), dir));
            return byTag;
        }));
    }

    /** {@code <version>/talosctl/}, the talosctl binaries as plain files. */
    @Override
    public Optional<Path> talosctl(TalosVersion version) {
        return releaseDirectory(version).map(d -> d.resolve("talosctl")).filter(Files::isDirectory);
    }

    @Override
    public Optional<ReleaseFile> bootFile(TalosVersion version, Arch arch, BootFile file) {
        return releaseDirectory(version)
                .map(dir -> dir.resolve(file.pathFor(arch)))
                .filter(Files::isRegularFile)
                .map(path -> new ReleaseFile(path, digests.sha256(path)));
    }

    /**
     * An extension the extra manifest lists (same name and digest: extra entries win in the catalog) comes from the
     * extra folder's {@code extension-images/}, every other one from the release's; both are read alike.
     */
    @Override
    public ExtensionImage extensionImage(TalosVersion version, OfficialExtension extension, Arch arch) {
        boolean extra = extraExtensions(version).orElse(List.of()).stream()
                .anyMatch(e -> e.name().equals(extension.name()) && e.digest().equals(extension.digest()));
        String images = (extra ? extraFolder.get() + "/" : "") + "extension-images/";
        Path dir = releaseDirectory(version)
                .map(d -> d.resolve(images).resolve(extension.name()))
                .filter(Files::isDirectory)
                .orElseThrow(() -> new ReleaseDataException("release " + version + " lists extension "
                        + extension.name() + " but has no " + images + extension.name() + " directory"));
        if (OciLayout.isLayout(dir)) {
            return flattenedLayout(extension, dir, arch);
        }
        if (Files.isRegularFile(dir.resolve("manifest.yaml")) && Files.isDirectory(dir.resolve("rootfs"))) {
            return new ExtensionImage(extension.name(), dir, "tree:" + digests.treeSha256(dir).hex());
        }
        throw new ReleaseDataException(dir + " is neither an extension image (manifest.yaml + rootfs/) nor an OCI"
                + " image layout");
    }

    private ExtensionImage flattenedLayout(OfficialExtension extension, Path dir, Arch arch) {
        Flattened image = flattened(dir, extension.ref().repository(), arch, ExtensionImages.CACHE_KIND,
                ExtensionImages::flattenInto, "");
        return new ExtensionImage(extension.name(), image.root(), image.digest());
    }

    /** An image layout flattened for one architecture: where, by which manifest digest, and how to name it. */
    private record Flattened(Path root, String digest, String where) {
    }

    /**
     * Flattens the {@code arch} image of the OCI layout {@code dir} once into the release cache. With a
     * {@code pinned} digest (an overlay's, from overlays.yaml) only the image index.json names by that digest is
     * used, so what runs as an overlay installer is the image the release pins, verified blob by blob below it.
     */
    private Flattened flattened(Path dir, String repository, Arch arch, String kind, ImageFlattening.Flattener flattener,
            String pinned) {
        if (cache == null) {
            throw new ReleaseDataException(dir + " is an OCI image layout, but this release source has no cache"
                    + " directory to flatten it into");
        }
        try {
            OciLayout layout = OciLayout.open(dir);
            ResolvedManifest image = pinned.isEmpty() ? layout.resolve(Platform.linux(arch.goName()))
                    : pinnedImage(layout, pinned, arch);
            verify(layout, repository, pinned.isEmpty() ? signedDigest(layout, image) : Digest.parse(pinned));
            String digest = image.digest().toString();
            String where = dir + " (" + arch + ", " + digest + ")";
            Path root = cache.directory(kind, ImageFlattening.cacheKey(arch, digest), where,
                    into -> flattener.flattenInto(into, layout, image.manifest().layers(), where));
            return new Flattened(root, digest, where);
        } catch (IOException e) {
            throw new ReleaseDataException(dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public OverlayImage overlayImage(TalosVersion version, OfficialOverlay overlay, Arch arch) {
        Path dir = releaseDirectory(version)
                .map(d -> d.resolve("overlay-images").resolve(overlay.image()))
                .filter(OciLayout::isLayout)
                .orElseThrow(() -> new ReleaseDataException("release " + version + " lists overlay " + overlay.name()
                        + " but has no OCI image layout overlay-images/" + overlay.image()));
        Flattened image = flattened(dir, overlay.image(), arch, OverlayImages.CACHE_KIND, OverlayImages::flattenInto,
                overlay.digest());
        return OverlayImages.checked(new OverlayImage(overlay.name(), image.root(), image.digest()), overlay, arch);
    }

    @Override
    public Optional<BaseImage> installerBase(TalosVersion version, Arch arch, InstallerBaseKind kind) {
        Optional<Path> release = releaseDirectory(version);
        Optional<Path> dir = release.map(d -> d.resolve(kind.repositoryName())).filter(OciLayout::isLayout);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        String where = dir.get() + " (" + arch + ")";
        try {
            OciLayout layout = OciLayout.open(dir.get());
            ResolvedManifest image = layout.resolve(Platform.linux(arch.goName()));
            verify(layout, "siderolabs/" + kind.repositoryName(), signedDigest(layout, image));
            // the directory name is the tag spelling of this source, as an imager tag is for the registry source
            String reference = "siderolabs/" + kind.repositoryName() + ":" + release.get().getFileName();
            return Optional.of(BaseImages.of(reference, image.manifest(), d -> verifiedBlob(layout, d), where));
        } catch (NoMatchingPlatformException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ReleaseDataException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * What a layout's signature is for: the image index.json names (a multi-platform index, as a registry tag would
     * name it), or the platform's manifest when index.json lists manifests directly.
     */
    private static Digest signedDigest(OciLayout layout, ResolvedManifest image) {
        List<Descriptor> roots = layout.index().manifests();
        return roots.size() == 1 ? roots.get(0).digest() : image.digest();
    }

    /** Checks the layout image's signature before anything of it is read beyond its manifests. */
    private void verify(OciLayout layout, String repository, Digest digest) {
        Path where = layout.dir().startsWith(root) ? root.relativize(layout.dir()) : layout.dir().getFileName();
        trust.verify(repository + "@" + digest + " (" + where + " in the release directory)", repository, digest,
                SignatureSources.of(layout));
    }

    private static ResolvedManifest pinnedImage(OciLayout layout, String pinned, Arch arch) throws IOException {
        Descriptor named = layout.index().manifests().stream()
                .filter(d -> d.digest().toString().equals(pinned))
                .findFirst()
                .orElseThrow(() -> new ReleaseDataException(layout.dir() + ": index.json does not name " + pinned
                        + ", the digest overlays/overlays.yaml pins"));
        return ManifestSelector.select(layout, ImageIndex.of(MediaTypes.OCI_INDEX, List.of(named)),
                Platform.linux(arch.goName()), layout.dir().resolve(OciLayout.INDEX) + " (" + pinned + ")");
    }

    /** The blob in the layout, checked against its descriptor (hashed once per file change, see FileDigests). */
    private Path verifiedBlob(OciLayout layout, Descriptor descriptor) {
        Path blob = layout.blobPath(descriptor.digest());
        if (descriptor.digest().algorithm() != Digest.Algorithm.SHA256) {
            throw new ReleaseDataException(blob + ": only sha256 blobs are supported, not " + descriptor.digest());
        }
        if (!Files.isRegularFile(blob)) {
            throw new ReleaseDataException(layout.dir() + ": missing blob " + descriptor.digest());
        }
        try {
            if (Files.size(blob) != descriptor.size() || !digests.sha256(blob).equals(descriptor.digest())) {
                throw new ReleaseDataException(blob + " does not match its digest " + descriptor.digest() + " and size "
                        + descriptor.size() + ": the release directory is corrupted");
            }
        } catch (IOException e) {
            throw new ReleaseDataException("cannot read " + blob + ": " + e.getMessage(), e);
        }
        return blob;
    }

    private Optional<Path> releaseDirectory(TalosVersion version) {
        return Optional.ofNullable(releaseDirectories().get(version));
    }

    /** Version → directory; when both {@code v1.11.0} and {@code 1.11.0} exist the first in name order wins. */
    private Map<TalosVersion, Path> releaseDirectories() {
        Map<TalosVersion, Path> found = new LinkedHashMap<>();
        if (!Files.isDirectory(root)) {
            if (missingReported.compareAndSet(false, true)) {
                LOG.warnf("Release directory %s does not exist: no Talos versions are available", root.toAbsolutePath());
            }
            return found;
        }
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(Files::isDirectory)
                    .sorted()
                    .forEach(dir -> TalosVersion.tryParse(dir.getFileName().toString())
                            .ifPresent(v -> found.putIfAbsent(v, dir)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list release directory " + root, e);
        }
        return found;
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ReleaseDataException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
