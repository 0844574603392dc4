package dev.imagefactory.catalog;

import dev.imagefactory.model.Arch;
import dev.imagefactory.model.TalosVersion;

import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.LayerFlattener;
import dev.imagefactory.oci.LayerFlattener.EntryKind;
import dev.imagefactory.oci.NoMatchingPlatformException;
import dev.imagefactory.oci.OciException;
import dev.imagefactory.oci.Platform;
import dev.imagefactory.oci.RegistryClient;
import dev.imagefactory.oci.RegistryEndpoint;
import dev.imagefactory.oci.ResolvedManifest;
import dev.imagefactory.model.Digest;
import dev.imagefactory.signing.ImageTrust;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Releases from an OCI registry, laid out as upstream publishes them (talos-imager.md §1.1–1.5): the tags of
 * {@code siderolabs/imager} are the versions, its linux/amd64 image holds both architectures' boot files under
 * {@code usr/install/}; {@code siderolabs/extensions:<tag>} holds {@code image-digests} and
 * {@code descriptions.yaml}; {@code siderolabs/overlays:<tag>} holds {@code overlays.yaml}; each extension is pulled
 * by the digest its {@code image-digests} line pins, each overlay image by the digest {@code overlays.yaml} pins; {@code siderolabs/installer-base:<tag>} (or
 * {@code siderolabs/installer:<tag>} before 1.10) is the base installer image, per architecture. Everything pulled
 * is verified against its digest and kept in the {@link ReleaseCache} by digest, so a restart re-reads tags and
 * manifests but no layer.
 *
 * <p>An extra extensions manifest ({@link Settings#extra()}) is read like {@code siderolabs/extensions:<tag>}, from
 * its own repository and registry; as the reference does, its lines' repository paths are taken to live in that
 * registry (whatever host a line names), so its images are pulled from there, through the same code as official ones.
 */
public final class OciReleaseSource implements ReleaseSource {

    /** What to read from where; {@code registry} also says whether it is insecure and its credentials. */
    public record Settings(RegistryEndpoint registry, String imager, String extensions, String overlays,
            String installerBase, String installer, String talosctl, Duration recheckInterval,
            Optional<ExtraManifest> extra) {

        /** Without an extra extensions manifest. */
        public Settings(RegistryEndpoint registry, String imager, String extensions, String overlays,
                String installerBase, String installer, String talosctl, Duration recheckInterval) {
            this(registry, imager, extensions, overlays, installerBase, installer, talosctl, recheckInterval,
                    Optional.empty());
        }

        /** These settings with the extra extensions manifest {@code repository} of {@code registry}. */
        public Settings withExtra(RegistryEndpoint extraRegistry, String repository) {
            return new Settings(registry, imager, extensions, overlays, installerBase, installer, talosctl,
                    recheckInterval, Optional.of(new ExtraManifest(extraRegistry, repository)));
        }

        /** With upstream's installer and talosctl repositories. */
        public Settings(RegistryEndpoint registry, String imager, String extensions, String overlays,
                Duration recheckInterval) {
            this(registry, imager, extensions, overlays, "siderolabs/installer-base", "siderolabs/installer",
                    recheckInterval);
        }

        /** With upstream's talosctl repository. */
        public Settings(RegistryEndpoint registry, String imager, String extensions, String overlays,
                String installerBase, String installer, Duration recheckInterval) {
            this(registry, imager, extensions, overlays, installerBase, installer, "siderolabs/talosctl-all",
                    recheckInterval);
        }

        String repository(InstallerBaseKind kind) {
            return kind == InstallerBaseKind.INSTALLER_BASE ? installerBase : installer;
        }
    }

    /** The extra extensions manifest image's repository (tagged per version) and the registry holding it and its images. */
    public record ExtraManifest(RegistryEndpoint registry, String repository) {
    }

    /** Cache kind of single blobs (base image configs and layers), one entry per digest. */
    static final String BLOB_CACHE_KIND = "blobs";
    private static final String BLOB_FILE = "blob";

    private record BaseKey(TalosVersion version, Arch arch, InstallerBaseKind kind) {
    }

    private static final Logger LOG = Logger.getLogger(OciReleaseSource.class);
    /** Upstream pulls the amd64 variant of the manifest images and the imager; they are not arch-specific. */
    private static final Platform MANIFEST_PLATFORM = Platform.linux("amd64");
    private static final String INSTALL_PREFIX = "usr/install/";
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Upstream's per-image fetch timeout ({@code artifacts.FetchTimeout}). */
    static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(20);

    private record Listing(Map<TalosVersion, String> tags, Instant fetched) {
    }

    private final Settings settings;
    private final ReleaseCache cache;
    private final ImageTrust trust;
    private final Clock clock;
    private final RegistryClient core;
    private final Optional<RegistryClient> extraRegistry;
    private final Map<String, RegistryClient> otherRegistries = new ConcurrentHashMap<>();
    private final FileDigests digests = new FileDigests();
    private final Object listingLock = new Object();
    private volatile Listing listing;
    private final Memo<TalosVersion, Optional<Path>> imagers;
    private final Memo<TalosVersion, Optional<List<OfficialExtension>>> extensionLists;
    private final Memo<TalosVersion, Optional<List<OfficialExtension>>> extraExtensionLists;
    private final Memo<TalosVersion, Optional<List<OfficialOverlay>>> overlayLists;
    private final Memo<BaseKey, Optional<BaseImage>> installerBases;
    private final Memo<TalosVersion, Optional<Path>> talosctlImages;

    /** A source that does not verify signatures. */
    public OciReleaseSource(Settings settings, ReleaseCache cache) {
        this(settings, cache, ImageTrust.OFF);
    }

    /** @param trust the cosign signatures every pulled image must carry, checked before anything of it is used */
    public OciReleaseSource(Settings settings, ReleaseCache cache, ImageTrust trust) {
        this(settings, cache, Clock.systemUTC(), trust);
    }

    OciReleaseSource(Settings settings, ReleaseCache cache, Clock clock) {
        this(settings, cache, clock, ImageTrust.OFF);
    }

    OciReleaseSource(Settings settings, ReleaseCache cache, Clock clock, ImageTrust trust) {
        this.settings = settings;
        this.cache = cache;
        this.clock = clock;
        this.trust = trust;
        this.core = new RegistryClient(settings.registry(), TIMEOUT, TRANSFER_TIMEOUT);
        this.extraRegistry = settings.extra().map(extra -> new RegistryClient(extra.registry(), TIMEOUT, TRANSFER_TIMEOUT));
        // a version whose image is missing may be published later: look again after the recheck interval
        this.imagers = new Memo<>(Optional::isEmpty, settings.recheckInterval(), clock);
        this.extensionLists = new Memo<>(Optional::isEmpty, settings.recheckInterval(), clock);
        this.extraExtensionLists = new Memo<>(Optional::isEmpty, settings.recheckInterval(), clock);
        this.overlayLists = new Memo<>(Optional::isEmpty, settings.recheckInterval(), clock);
        this.installerBases = new Memo<>(Optional::isEmpty, settings.recheckInterval(), clock);
        this.talosctlImages = new Memo<>(Optional::isEmpty, settings.recheckInterval(), clock);
    }

    @Override
    public Set<TalosVersion> versions() {
        return Set.copyOf(listing().tags().keySet());
    }

    @Override
    public Optional<ReleaseFile> bootFile(TalosVersion version, Arch arch, BootFile file) {
        return imagers.get(version, () -> pullImager(version))
                .map(root -> root.resolve(file.pathFor(arch)))
                .filter(path -> Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS))
                .map(path -> new ReleaseFile(path, digests.sha256(path)));
    }

    @Override
    public Optional<List<OfficialExtension>> extensions(TalosVersion version) {
        return extensionLists.get(version, () -> extensionManifest(core, settings.extensions(), version));
    }

    /**
     * {@code <extra repository>:<tag>}, read as the official manifest image is; a version without that tag has no
     * extra extensions (the reference tolerates its 404 too). Each entry's image is then looked for in the extra
     * registry under the repository path its line names.
     */
    @Override
    public Optional<List<OfficialExtension>> extraExtensions(TalosVersion version) {
        if (settings.extra().isEmpty()) {
            return Optional.empty();
        }
        ExtraManifest extra = settings.extra().get();
        return extraExtensionLists.get(version, () -> {
            Optional<List<OfficialExtension>> listed = extensionManifest(extraRegistry.orElseThrow(),
                    extra.repository(), version);
            if (listed.isEmpty()) {
                LOG.debugf("no extra extensions published for %s", image(extraRegistry.get(), extra.repository(), version));
            }
            return listed.map(entries -> entries.stream().map(e -> new OfficialExtension(
                    new ImageRef(extra.registry().host(), e.ref().repository(), e.ref().tag()),
                    e.digest(), e.author(), e.description())).toList());
        });
    }

    /** The {@code image-digests} and {@code descriptions.yaml} of {@code repository:<tag>}; empty when the tag is absent. */
    private Optional<List<OfficialExtension>> extensionManifest(RegistryClient client, String repository,
            TalosVersion version) {
        String where = image(client, repository, version);
        return manifestImage(client, repository, version, "extension-manifests",
                Set.of("image-digests", "descriptions.yaml")).map(dir -> {
                    String imageDigests = read(dir.resolve("image-digests"), where)
                            .orElseThrow(() -> new ReleaseDataException(where + " has no image-digests"));
                    String descriptions = read(dir.resolve("descriptions.yaml"), where).orElse(null);
                    return ExtensionManifestParser.parse(imageDigests, descriptions, where);
                });
    }

    @Override
    public Optional<List<OfficialOverlay>> overlays(TalosVersion version) {
        return overlayLists.get(version, () -> manifestImage(settings.overlays(), version, "overlay-manifests",
                Set.of("overlays.yaml")).map(dir -> {
                    String where = image(settings.overlays(), version);
                    String yaml = read(dir.resolve("overlays.yaml"), where)
                            .orElseThrow(() -> new ReleaseDataException(where + " has no overlays.yaml"));
                    return OverlayManifestParser.parse(yaml, where);
                }));
    }

    /** The configured repository of the component, proxied: manifests and blobs come from the registry, streamed. */
    @Override
    public Optional<SourceRepository> sourceRepository(String component) {
        String repository = switch (component) {
            case "imager" -> settings.imager();
            case "installer-base" -> settings.installerBase();
            case "installer" -> settings.installer();
            case "extensions" -> settings.extensions();
            case "overlays" -> settings.overlays();
            case "talosctl-all" -> settings.talosctl();
            default -> null;
        };
        if (repository == null) {
            return Optional.empty();
        }
        return Optional.of(new SourceRepository() {
            @Override
            public List<String> tags() throws IOException {
                return core.tags(repository).stream().sorted().toList();
            }

            @Override
            public Optional<dev.imagefactory.oci.ManifestDocument> manifest(String reference) throws IOException {
                return core.manifest(repository, reference);
            }

            @Override
            public Optional<Long> blobSize(dev.imagefactory.model.Digest digest) throws IOException {
                return core.blobSize(repository, digest);
            }

            @Override
            public dev.imagefactory.content.VerifyingInputStream openBlob(dev.imagefactory.model.Digest digest, long size)
                    throws IOException {
                return core.blob(repository, new Descriptor("application/octet-stream", digest, size));
            }
        });
    }

    /** The root files {@code talosctl-*} of the linux/amd64 {@code talosctl-all:<tag>} image, pulled once by digest. */
    @Override
    public Optional<Path> talosctl(TalosVersion version) {
        return talosctlImages.get(version, () -> {
            String where = image(settings.talosctl(), version);
            return resolve(settings.talosctl(), version).map(image -> cache.directory("talosctl",
                    image.digest().toString().replace(':', '-'), where, into -> {
                        LOG.infof("pulling talosctl binaries of %s (%s)", where, image.digest());
                        LayerFlattener.filtered((path, kind) -> kind == EntryKind.FILE
                                        && TalosctlFiles.isTalosctlName(path))
                                .flatten(core.repository(settings.talosctl()), image.manifest().layers(), into);
                    }));
        });
    }

    @Override
    public ExtensionImage extensionImage(TalosVersion version, OfficialExtension extension, Arch arch) {
        if (extension.digest().isEmpty()) {
            throw new ReleaseDataException("release " + version + " lists extension " + extension.name()
                    + " without a digest");
        }
        Path root = pulled("extension", extension.ref(), extension.digest(), arch, ExtensionImages.CACHE_KIND,
                ExtensionImages::flattenInto);
        return new ExtensionImage(extension.name(), root, extension.digest());
    }

    @Override
    public OverlayImage overlayImage(TalosVersion version, OfficialOverlay overlay, Arch arch) {
        if (overlay.digest().isEmpty()) {
            throw new ReleaseDataException("release " + version + " lists overlay " + overlay.name()
                    + " without a digest");
        }
        Path root = pulled("overlay", overlay.ref(), overlay.digest(), arch, OverlayImages.CACHE_KIND,
                OverlayImages::flattenInto);
        return OverlayImages.checked(new OverlayImage(overlay.name(), root, overlay.digest()), overlay, arch);
    }

    /** The {@code arch} image of {@code ref@digest}, pulled and flattened once into the release cache. */
    private Path pulled(String what, ImageRef ref, String digest, Arch arch, String kind,
            ImageFlattening.Flattener flattener) {
        String where = where(ref, digest, arch);
        RegistryClient.Repository repository = clientFor(ref.registry()).repository(ref.repository());
        verify(repository, Digest.parse(digest));
        return cache.directory(kind, ImageFlattening.cacheKey(arch, digest), where, into -> {
            LOG.infof("pulling %s image %s", what, where);
            ResolvedManifest image = repository.resolve(digest, Platform.linux(arch.goName()))
                    .orElseThrow(() -> new OciException(where + ": no such image in the registry"));
            flattener.flattenInto(into, repository, image.manifest().layers(), where);
        });
    }

    private static String where(ImageRef ref, String digest, Arch arch) {
        return ref.registry() + "/" + ref.repository() + "@" + digest + " (" + arch + ")";
    }

    @Override
    public Optional<BaseImage> installerBase(TalosVersion version, Arch arch, InstallerBaseKind kind) {
        return installerBases.get(new BaseKey(version, arch, kind), () -> pullBase(version, arch, kind));
    }

    private Optional<BaseImage> pullBase(TalosVersion version, Arch arch, InstallerBaseKind kind) {
        String repository = settings.repository(kind);
        String where = image(repository, version) + " (" + arch + ")";
        Optional<ResolvedManifest> image;
        try {
            image = verifiedResolve(core, repository, tagOf(version), Platform.linux(arch.goName()));
        } catch (NoMatchingPlatformException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ReleaseDataException(where + ": " + e.getMessage(), e);
        }
        return image.map(resolved -> BaseImages.of(repository + ":" + tagOf(version), resolved.manifest(),
                descriptor -> pulledBlob(repository, descriptor, where), where));
    }

    /** A blob in the cache by digest (any version's image may share it), downloaded and verified the first time. */
    private Path pulledBlob(String repository, Descriptor descriptor, String where) {
        Path entry = cache.directory(BLOB_CACHE_KIND, descriptor.digest().toString().replace(':', '-'),
                where + " blob " + descriptor.digest(), into -> {
                    LOG.infof("pulling %s blob %s (%d bytes)", where, descriptor.digest(), descriptor.size());
                    core.downloadBlob(repository, descriptor, into.resolve(BLOB_FILE));
                });
        return entry.resolve(BLOB_FILE);
    }

    private Listing listing() {
        Listing known = listing;
        Instant now = clock.instant();
        if (known != null && now.isBefore(known.fetched().plus(settings.recheckInterval()))) {
            return known;
        }
        synchronized (listingLock) {
            known = listing;
            if (known != null && now.isBefore(known.fetched().plus(settings.recheckInterval()))) {
                return known;
            }
            try {
                Map<TalosVersion, String> tags = new HashMap<>();
                for (String tag : core.tags(settings.imager())) {
                    TalosVersion.tryParse(tag).ifPresent(v -> tags.putIfAbsent(v, tag));
                }
                listing = new Listing(Map.copyOf(tags), clock.instant());
            } catch (IOException | RuntimeException e) {
                String where = settings.registry().host() + "/" + settings.imager();
                if (known == null) {
                    throw new ReleaseDataException("cannot list the Talos versions (tags of " + where + "): "
                            + e.getMessage(), e);
                }
                // a registry hiccup should not empty /versions: keep the last list until the next recheck
                LOG.warnf("cannot list the tags of %s, keeping the previous versions: %s", where, e.getMessage());
                listing = new Listing(known.tags(), clock.instant());
            }
            return listing;
        }
    }

    /** The tag a version was listed under ({@code v1.11.0}; a registry may also say {@code 1.11.0}). */
    private String tagOf(TalosVersion version) {
        Listing known = listing;
        String tag = known == null ? null : known.tags().get(version);
        return tag != null ? tag : version.toString();
    }

    private String image(String repository, TalosVersion version) {
        return image(core, repository, version);
    }

    private String image(RegistryClient client, String repository, TalosVersion version) {
        return client.endpoint().host() + "/" + repository + ":" + tagOf(version);
    }

    private Optional<Path> pullImager(TalosVersion version) {
        String where = image(settings.imager(), version);
        return resolve(settings.imager(), version).map(image -> cache.directory("imager",
                image.digest().toString().replace(':', '-'), where, into -> {
                    LOG.infof("pulling boot files of %s (%s)", where, image.digest());
                    LayerFlattener.regularFilesUnder(INSTALL_PREFIX)
                            .flatten(core.repository(settings.imager()), image.manifest().layers(), into);
                }));
    }

    /** The given files of a small manifest image, in the cache by manifest digest; empty when the tag is absent. */
    private Optional<Path> manifestImage(String repository, TalosVersion version, String kind, Set<String> files) {
        return manifestImage(core, repository, version, kind, files);
    }

    private Optional<Path> manifestImage(RegistryClient client, String repository, TalosVersion version, String kind,
            Set<String> files) {
        String where = image(client, repository, version);
        return resolve(client, repository, version).map(image -> cache.directory(kind,
                image.digest().toString().replace(':', '-'), where, into -> LayerFlattener
                        .filtered((path, entryKind) -> entryKind == EntryKind.FILE && files.contains(path))
                        .flatten(client.repository(repository), image.manifest().layers(), into)));
    }

    private Optional<ResolvedManifest> resolve(String repository, TalosVersion version) {
        return resolve(core, repository, version);
    }

    private Optional<ResolvedManifest> resolve(RegistryClient client, String repository, TalosVersion version) {
        String where = image(client, repository, version);
        try {
            return verifiedResolve(client, repository, tagOf(version), MANIFEST_PLATFORM);
        } catch (IOException e) {
            throw new ReleaseDataException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The {@code platform} image of {@code repository:tag} of {@code client}'s registry, once the document the tag
     * names is verified; resolved by that digest, so what is used is what was verified even if the tag moves.
     */
    private Optional<ResolvedManifest> verifiedResolve(RegistryClient client, String repository, String tag,
            Platform platform) throws IOException {
        RegistryClient.Repository source = client.repository(repository);
        Optional<Descriptor> named = client.head(repository, tag);
        if (named.isEmpty()) {
            return Optional.empty();
        }
        verify(source, named.get().digest());
        return source.resolve(named.get().digest().toString(), platform);
    }

    /** Checks the image's cosign signature in its repository before anything of it is read beyond its manifests. */
    private void verify(RegistryClient.Repository repository, Digest digest) {
        String host = repository.client().endpoint().host();
        trust.verify(host + "/" + repository.name() + "@" + digest, host + "/" + repository.name(), digest,
                SignatureSources.of(repository));
    }

    /**
     * The configured registry with its settings, then the extra extensions' registry with its own; any other registry
     * an extension names, anonymously over TLS.
     */
    private RegistryClient clientFor(String host) {
        if (host.equals(settings.registry().host())) {
            return core;
        }
        if (extraRegistry.isPresent() && host.equals(extraRegistry.get().endpoint().host())) {
            return extraRegistry.get();
        }
        return otherRegistries.computeIfAbsent(host, h -> new RegistryClient(RegistryEndpoint.anonymous(h, false),
                TIMEOUT, TRANSFER_TIMEOUT));
    }

    private static Optional<String> read(Path file, String where) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ReleaseDataException(where + ": cannot read " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }
}
