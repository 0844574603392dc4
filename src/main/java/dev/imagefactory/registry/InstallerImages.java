package dev.imagefactory.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.build.Asset;
import dev.imagefactory.build.AssetPath;
import dev.imagefactory.build.AssetService;
import dev.imagefactory.build.BuildRequest;
import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.catalog.Arch;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.catalog.TalosVersion;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.errors.NotFoundException;
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
 */
@ApplicationScoped
public class InstallerImages {

    private static final Logger LOG = Logger.getLogger(InstallerImages.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX_STEP = "installer-index-1";

    /** The stored result of a tag: the OCI index and the Docker manifest list over the same images. */
    public record TaggedImage(Descriptor oci, Descriptor docker) {
    }

    private final AssetService assets;
    private final ReleaseSource releases;
    private final BlobStore store;
    private final ArtifactCache cache;
    private final Optional<BackingRegistry> backing;
    private final TarballImporter importer;
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
    }

    public Optional<BackingRegistry> backing() {
        return backing;
    }

    /**
     * The image for {@code name} at {@code version}, building what is missing. Checks (schematic, version,
     * SecureBoot, customisations) are the {@code /image} ones and throw the same exceptions; failures while building
     * fail the future. No thread waits for the per-arch builds; the index is assembled on this class's own pool.
     */
    public CompletableFuture<TaggedImage> image(RepositoryName name, TalosVersion version) {
        List<Arch> arches = architectures(version);
        if (arches.isEmpty()) {
            throw new NotFoundException("Talos " + version + " has no boot files for any architecture");
        }
        List<BuildRequest> requests = new ArrayList<>();
        for (Arch arch : arches) {
            requests.add(assets.request(name.schematic(), version.toString(), AssetPath.parse(name.assetPath(arch))));
        }
        List<CompletableFuture<CachedArtifact>> builds = new ArrayList<>(); // checks before building, then in parallel
        for (int i = 0; i < arches.size(); i++) {
            builds.add(assets.asset(requests.get(i), AssetPath.parse(name.assetPath(arches.get(i))))
                    .thenApply(Asset::artifact));
        }
        return CompletableFuture.allOf(builds.toArray(CompletableFuture[]::new)).thenComposeAsync(built -> {
            List<CachedArtifact> tarballs = builds.stream().map(CompletableFuture::join).toList();
            return tagged(name, version, arches, tarballs);
        }, perArch);
    }

    /** The index over built tarballs: remembered, being assembled by another request, or assembled here. */
    private CompletableFuture<TaggedImage> tagged(RepositoryName name, TalosVersion version, List<Arch> arches,
            List<CachedArtifact> tarballs) {
        List<String> parts = new ArrayList<>(List.of(INDEX_STEP, name.image(), name.schematic(), version.toString()));
        for (int i = 0; i < arches.size(); i++) {
            parts.add(arches.get(i).goName() + "=" + tarballs.get(i).sha256());
        }
        CacheKey key = CacheKey.of(parts.toArray(String[]::new));
        Optional<TaggedImage> known = stored(key);
        if (known.isPresent()) {
            return CompletableFuture.completedFuture(known.get());
        }
        CompletableFuture<TaggedImage> mine = new CompletableFuture<>();
        CompletableFuture<TaggedImage> running = assembling.putIfAbsent(key, mine);
        if (running != null) {
            return running.copy();
        }
        try {
            TaggedImage image = stored(key).orElseGet(() -> assemble(key, name, version, arches, tarballs));
            mine.complete(image);
            return mine.copy();
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            assembling.remove(key, mine);
        }
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

    private TaggedImage assemble(CacheKey key, RepositoryName name, TalosVersion version, List<Arch> arches,
            List<CachedArtifact> tarballs) {
        Path work = cache.newWorkDir("installer-index");
        try {
            List<Descriptor> oci = new ArrayList<>();
            List<Descriptor> docker = new ArrayList<>();
            for (int i = 0; i < arches.size(); i++) {
                TarballImporter.ImportedImage image = importer.importImage(cache.localFile(tarballs.get(i)),
                        arches.get(i).goName());
                oci.add(image.oci());
                docker.add(image.docker());
            }
            TaggedImage tagged = new TaggedImage(
                    store.putDocument(MediaTypes.OCI_INDEX, OciJson.write(ImageIndex.of(MediaTypes.OCI_INDEX, oci))),
                    store.putDocument(MediaTypes.DOCKER_MANIFEST_LIST,
                            OciJson.write(ImageIndex.of(MediaTypes.DOCKER_MANIFEST_LIST, docker))));
            if (backing.isPresent()) {
                backing.get().pushByDigest(store, tagged.docker(), name);
                backing.get().push(store, tagged.oci(), name, version.toString());
            }
            Path record = work.resolve("tag.json");
            Files.write(record, JSON.writeValueAsBytes(tagged));
            cache.publish(key, record);
            LOG.infof("installer image %s:%s is %s", name.repository(), version, tagged.oci().digest());
            return tagged;
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

    /** The remembered image under {@code key}, if it and everything it references are still in the store. */
    private Optional<TaggedImage> stored(CacheKey key) {
        Optional<CachedArtifact> record = cache.lookup(key);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        try {
            TaggedImage image = JSON.readValue(BlobStore.readAll(record.get()), TaggedImage.class);
            return complete(image.oci()) && complete(image.docker()) ? Optional.of(image) : Optional.empty();
        } catch (IOException e) {
            LOG.warnf("unreadable installer tag record %s, rebuilding it: %s", key, e.getMessage());
            return Optional.empty();
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
