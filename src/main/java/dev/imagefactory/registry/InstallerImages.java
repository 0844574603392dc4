package dev.imagefactory.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.build.Asset;
import dev.imagefactory.build.AssetPath;
import dev.imagefactory.build.AssetService;
import dev.imagefactory.build.BuildRequest;
import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.build.AsyncLeases;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.catalog.Arch;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.catalog.TalosVersion;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.errors.StorageUnavailableException;
import dev.imagefactory.oci.Digest;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageIndex;
import dev.imagefactory.oci.ImageManifest;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.oci.OciJson;
import dev.imagefactory.tools.FileTrees;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Multi-arch installer images for the registry frontend (talos-imager.md §7.2): for a version tag, the
 * per-architecture installer tarballs are obtained through the normal asset builder (built in parallel, one build per
 * architecture however many pulls ask, cached like any {@code /image} download), loaded into the {@link BlobStore},
 * and tied together by an OCI index (and its Docker manifest list twin). The result is remembered under a key made of
 * the tarballs' digests, so a rebuilt input gives a new index while a repeated pull is a few cache lookups.
 *
 * <p><b>Evicted together.</b> The tag record holds its indexes, manifests, configs and layers in the cache
 * ({@link ArtifactCache#publishPinned} with {@code holds}), so none of them is evicted while the record is there:
 * an image leaves the cache whole, record first. Every digest of the image is also remembered with its tag
 * ({@link DigestOrigins}), so a pull by digest of an evicted image rebuilds it ({@link #restore}).
 */
@ApplicationScoped
public class InstallerImages {

    private static final Logger LOG = Logger.getLogger(InstallerImages.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX_STEP = "installer-index-1";

    /** The stored result of a tag: the OCI index and the Docker manifest list over the same images. */
    public record TaggedImage(Descriptor oci, Descriptor docker) {
    }

    /**
     * A tagged image kept whole in the store while it is served: its record is leased, and the record holds
     * everything the image is made of. Close it when the answer is written.
     */
    public record ServedImage(TaggedImage image, ArtifactLease record) implements AutoCloseable {
        @Override
        public void close() {
            record.close();
        }
    }

    /** Tries to lease a tag record another pull assembled: each failure means it was evicted in that instant. */
    private static final int LEASE_ATTEMPTS = 3;

    private final AssetService assets;
    private final ReleaseSource releases;
    private final BlobStore store;
    private final ArtifactCache cache;
    private final Optional<BackingRegistry> backing;
    private final TarballImporter importer;
    private final DigestOrigins origins;
    private final Map<CacheKey, CompletableFuture<TaggedImage>> assembling = new ConcurrentHashMap<>();
    private final ExecutorService perArch = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "installer-arch-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private static final AtomicInteger THREADS = new AtomicInteger();

    @Inject
    public InstallerImages(AssetService assets, ReleaseSource releases, BlobStore store, ArtifactCache cache,
            FactoryConfig config) {
        this.assets = assets;
        this.releases = releases;
        this.store = store;
        this.cache = cache;
        this.backing = BackingRegistry.from(config.registry().backing());
        this.importer = new TarballImporter(store);
        this.origins = new DigestOrigins(config.dataDir().resolve("registry").resolve("origins"));
    }

    public Optional<BackingRegistry> backing() {
        return backing;
    }

    /**
     * The image for {@code name} at {@code version}, building what is missing, held whole until the returned image is
     * closed (whoever takes the future's value closes it). Checks (schematic, version, SecureBoot, customisations) are
     * the {@code /image} ones and throw the same exceptions, for every architecture before any build starts; failures
     * while building fail the future. No thread waits for the per-arch builds (their tarballs stay leased until the
     * index over them is stored); the index is assembled on this class's own pool.
     */
    public CompletableFuture<ServedImage> image(RepositoryName name, TalosVersion version) {
        List<Arch> arches = architectures(version);
        if (arches.isEmpty()) {
            throw new NotFoundException("Talos " + version + " has no boot files for any architecture");
        }
        List<BuildRequest> requests = new ArrayList<>();
        List<AssetPath> paths = new ArrayList<>();
        for (Arch arch : arches) {
            AssetPath path = AssetPath.parse(name.assetPath(arch));
            paths.add(path);
            requests.add(assets.request(name.schematic(), version.toString(), path)); // checks before building
        }
        List<CompletableFuture<Asset>> builds = new ArrayList<>(); // then in parallel
        try {
            for (int i = 0; i < arches.size(); i++) {
                builds.add(assets.asset(requests.get(i), paths.get(i)));
            }
        } catch (RuntimeException | Error e) {
            builds.forEach(AsyncLeases::releaseWhenDone); // a later arch refused: nobody takes the earlier ones
            throw e;
        }
        return AsyncLeases.all(builds).thenCompose(tarballs -> AsyncLeases.holding(tarballs,
                () -> CompletableFuture.supplyAsync(() -> key(name, version, arches, tarballs), perArch)
                        .thenCompose(key -> served(key, name, version, arches, tarballs, 1))));
    }

    private static CacheKey key(RepositoryName name, TalosVersion version, List<Arch> arches, List<Asset> tarballs) {
        List<String> parts = new ArrayList<>(List.of(INDEX_STEP, name.image(), name.schematic(), version.toString()));
        for (int i = 0; i < arches.size(); i++) {
            parts.add(arches.get(i).goName() + "=" + tarballs.get(i).artifact().sha256());
        }
        return CacheKey.of(parts.toArray(String[]::new));
    }

    /**
     * The index over built tarballs, leased: remembered, assembled by another request (then leased in the next
     * round, waiting for it without a thread), or assembled here.
     */
    private CompletableFuture<ServedImage> served(CacheKey key, RepositoryName name, TalosVersion version,
            List<Arch> arches, List<Asset> tarballs, int attempt) {
        if (attempt > LEASE_ATTEMPTS) {
            return CompletableFuture.failedFuture(new StorageUnavailableException("installer image "
                    + name.repository() + ":" + version + " was evicted " + LEASE_ATTEMPTS + " times right after it "
                    + "was assembled: the cache bound (factory.cache.max-size) is too small for the pulls running at "
                    + "once", null));
        }
        Optional<ServedImage> known = stored(key);
        if (known.isPresent()) {
            return CompletableFuture.completedFuture(known.get());
        }
        CompletableFuture<TaggedImage> mine = new CompletableFuture<>();
        CompletableFuture<TaggedImage> running = assembling.putIfAbsent(key, mine);
        if (running != null) {
            return running.thenComposeAsync(done -> served(key, name, version, arches, tarballs, attempt + 1), perArch);
        }
        try {
            ServedImage image = stored(key).orElseGet(() -> assemble(key, name, version, arches, tarballs));
            mine.complete(image.image());
            return CompletableFuture.completedFuture(image);
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            return CompletableFuture.failedFuture(e);
        } finally {
            assembling.remove(key, mine);
        }
    }

    /**
     * For a pull by digest of an index, manifest or blob this registry served before and has evicted since: builds
     * its image again (builds are reproducible, so the digests come back the same) and holds it. Empty when the
     * digest was never served here, or when the rebuilt image does not contain it (then logged). Waiting for the
     * rebuild holds no thread.
     *
     * @throws RuntimeException as {@link #image} does, when the image can no longer be built (e.g. its version
     *         is no longer offered)
     */
    public CompletableFuture<Optional<ServedImage>> restore(Digest digest) {
        Optional<DigestOrigins.Origin> origin = origins.of(digest);
        if (origin.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        LOG.infof("%s was pulled by digest after it was evicted; rebuilding %s:%s", digest,
                origin.get().repository(), origin.get().version());
        return image(RepositoryName.parse(origin.get().repository()), TalosVersion.parse(origin.get().version()))
                .thenApply(image -> {
                    boolean found = false;
                    try {
                        found = store.has(digest);
                    } finally {
                        if (!found) {
                            image.close();
                        }
                    }
                    if (found) {
                        return Optional.of(image);
                    }
                    LOG.warnf("rebuilding %s:%s did not give back %s (its inputs changed since)",
                            origin.get().repository(), origin.get().version(), digest);
                    return Optional.empty();
                });
    }

    /** Architectures whose boot files the release has (upstream builds amd64 and arm64). */
    private List<Arch> architectures(TalosVersion version) {
        List<Arch> arches = new ArrayList<>();
        for (Arch arch : Arch.values()) {
            if (releases.bootFile(version, arch, BootFile.KERNEL).isPresent()) {
                arches.add(arch);
            }
        }
        return arches;
    }

    /** Imports the tarballs, stores both indexes and publishes the tag record holding all of it. */
    private ServedImage assemble(CacheKey key, RepositoryName name, TalosVersion version, List<Arch> arches,
            List<Asset> tarballs) {
        Path work = cache.newWorkDir("installer-index");
        try (BlobLeases blobs = new BlobLeases()) {
            List<Descriptor> oci = new ArrayList<>();
            List<Descriptor> docker = new ArrayList<>();
            for (int i = 0; i < arches.size(); i++) {
                try (ArtifactLease tarball = cache.localFile(tarballs.get(i).artifact())) {
                    TarballImporter.ImportedImage image = importer.importImage(tarball.file(), arches.get(i).goName(),
                            blobs);
                    oci.add(image.oci());
                    docker.add(image.docker());
                }
            }
            TaggedImage tagged = new TaggedImage(
                    store.putDocument(MediaTypes.OCI_INDEX, OciJson.write(ImageIndex.of(MediaTypes.OCI_INDEX, oci)),
                            blobs),
                    store.putDocument(MediaTypes.DOCKER_MANIFEST_LIST,
                            OciJson.write(ImageIndex.of(MediaTypes.DOCKER_MANIFEST_LIST, docker)), blobs));
            if (backing.isPresent()) {
                backing.get().pushByDigest(store, tagged.docker(), name);
                backing.get().push(store, tagged.oci(), name, version.toString());
            }
            Path record = work.resolve("tag.json");
            Files.write(record, JSON.writeValueAsBytes(tagged));
            ArtifactLease recordLease = cache.publishPinned(key, record, blobs.keys());
            origins.remember(blobs.digests(), new DigestOrigins.Origin(name.repository(), version.toString()));
            LOG.infof("installer image %s:%s is %s", name.repository(), version, tagged.oci().digest());
            return new ServedImage(tagged, recordLease);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot assemble " + name.repository() + ":" + version + ": " + e.getMessage(), e);
        } finally {
            try {
                FileTrees.deleteRecursively(work);
            } catch (IOException e) {
                LOG.warnf("cannot delete %s: %s", work, e.getMessage());
            }
        }
    }

    /**
     * The remembered image under {@code key}, leased, if it and everything it references are still in the store
     * (the record holds them; they can be missing only if removed as damaged or from outside).
     */
    private Optional<ServedImage> stored(CacheKey key) {
        Optional<ArtifactLease> record = cache.lookupPinned(key);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        boolean whole = false;
        try {
            TaggedImage image = JSON.readValue(BlobStore.readAll(record.get().artifact()), TaggedImage.class);
            whole = complete(image.oci()) && complete(image.docker());
            return whole ? Optional.of(new ServedImage(image, record.get())) : Optional.empty();
        } catch (IOException e) {
            LOG.warnf("unreadable installer tag record %s, rebuilding it: %s", key, e.getMessage());
            return Optional.empty();
        } finally {
            if (!whole) {
                record.get().close();
            }
        }
    }

    /** Whether an index, its manifests and their blobs are all in the store (the cache may have evicted some). */
    private boolean complete(Descriptor index) throws IOException {
        Optional<byte[]> indexJson = document(index);
        if (indexJson.isEmpty()) {
            return false;
        }
        for (Descriptor child : OciJson.index(indexJson.get(), index.digest().toString()).manifests()) {
            Optional<byte[]> manifestJson = document(child);
            if (manifestJson.isEmpty()) {
                return false;
            }
            ImageManifest manifest = OciJson.manifest(manifestJson.get(), child.digest().toString());
            if (!store.has(manifest.config().digest())) {
                return false;
            }
            for (Descriptor layer : manifest.layers()) {
                if (!store.has(layer.digest())) {
                    return false;
                }
            }
        }
        return true;
    }

    private Optional<byte[]> document(Descriptor descriptor) throws IOException {
        Optional<CachedArtifact> blob = store.get(descriptor.digest());
        return blob.isEmpty() ? Optional.empty() : Optional.of(BlobStore.readAll(blob.get()));
    }
}
