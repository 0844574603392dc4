package dev.imagefactory.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.build.Asset;
import dev.imagefactory.build.ImageRequest;
import dev.imagefactory.build.ImageResolver;
import dev.imagefactory.build.InstallerWarmUp;
import dev.imagefactory.build.AssetPath;
import dev.imagefactory.build.installer.BlobLeases;
import dev.imagefactory.build.installer.BlobStore;
import dev.imagefactory.build.installer.InstallerTarball;
import dev.imagefactory.build.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.build.AsyncLeases;
import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.build.BuildOutput;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.model.Arch;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.errors.StorageUnavailableException;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.ImageIndex;
import dev.imagefactory.oci.ImageManifest;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.oci.OciJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Multi-arch installer images for the registry frontend (talos-imager.md §7.2): for a version tag, the
 * per-architecture installer images are obtained through the normal asset builder (built in parallel, one build per
 * architecture however many pulls ask, shared with the {@code /image} tarball downloads), which writes each straight
 * into the {@link BlobStore}, and tied together by an OCI index (and its Docker manifest list twin). The index is
 * assembled under the build scheduler like every other product (single flight, slots, timeout, metrics with
 * {@code output_kind=installer-index}) and remembered under a key made of the per-arch tarballs' digests, so a rebuilt
 * input gives a new index while a repeated pull is a few cache lookups.
 *
 * <p><b>Evicted together.</b> The tag record holds its indexes and the per-arch image records in the cache
 * ({@link ArtifactCache#publishPinned} with {@code holds}), and each image record holds its manifests, config and
 * layers, so none of them is evicted while the tag record is there: an image leaves the cache whole, record first. Every digest of the image is also remembered with its tag
 * ({@link DigestOrigins}), so a pull by digest of an evicted image rebuilds it ({@link #restore}).
 */
@ApplicationScoped
public class InstallerImages implements InstallerWarmUp {

    private static final Logger LOG = Logger.getLogger(InstallerImages.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX_STEP = "installer-index-1";
    /** The {@code output_kind} of index assemblies in the build metrics. */
    static final String INDEX_KIND = "installer-index";

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


    private final ImageResolver resolver;
    private final ReleaseSource releases;
    private final BlobStore store;
    private final ArtifactCache cache;
    private final Optional<BackingRegistry> backing;
    private final ArtifactBuilds builds;
    private final DigestOrigins origins;
    private final InstallerSignatures signatures;

    @Inject
    public InstallerImages(ImageResolver resolver, ReleaseSource releases, BlobStore store, ArtifactCache cache,
            ArtifactBuilds builds, FactoryConfig config, InstallerSignatures signatures) {
        this.signatures = signatures;
        this.resolver = resolver;
        this.releases = releases;
        this.store = store;
        this.cache = cache;
        this.backing = BackingRegistry.from(config.registry().backing());
        this.builds = builds;
        this.origins = new DigestOrigins(config.dataDir().resolve("registry").resolve("origins"));
    }

    public Optional<BackingRegistry> backing() {
        return backing;
    }

    /**
     * The image for {@code name} at {@code version}, building what is missing, held whole until the returned image is
     * closed (whoever takes the future's value closes it). Checks (schematic, version, SecureBoot, customisations) are
     * the {@code /image} ones and throw the same exceptions, for every architecture before any build starts; failures
     * while building fail the future. No thread waits for the per-arch builds (their images stay leased until the
     * index over them is stored); the index is assembled by the build scheduler.
     */
    public CompletableFuture<ServedImage> image(RepositoryName name, TalosVersion version) {
        List<Arch> arches = architectures(version);
        if (arches.isEmpty()) {
            throw new NotFoundException("Talos " + version + " has no boot files for any architecture");
        }
        List<ImageRequest> requests = new ArrayList<>();
        for (Arch arch : arches) {
            requests.add(ImageRequest.of(name.schematic(), version.toString(), name.assetPath(arch)));
        }
        List<CompletableFuture<Asset>> perArch = resolver.assetsTogether(requests); // checked, then built in parallel
        return AsyncLeases.all(perArch).thenCompose(tarballs -> AsyncLeases.holding(tarballs,
                () -> served(name, version, arches, tarballs)));
    }

    @Override
    public boolean names(String image) {
        try {
            RepositoryName.parse(image + "/" + "0".repeat(64));
            return true;
        } catch (RegistryError e) {
            return false;
        }
    }

    @Override
    public List<AssetPath> parts(String image, String schematic, String version) {
        RepositoryName name = RepositoryName.parse(image + "/" + schematic);
        return architectures(TalosVersion.parse(version)).stream().map(name::assetPath).toList();
    }

    /** A pull's work without the pull ({@code POST /builds} with an installer image): the image is stored, then released. */
    @Override
    public CompletableFuture<Void> warm(String image, String schematic, String version) {
        return image(RepositoryName.parse(image + "/" + schematic), TalosVersion.parse(version))
                .thenAccept(ServedImage::close);
    }

    private static CacheKey key(RepositoryName name, TalosVersion version, List<Arch> arches,
            List<InstallerTarball> images) {
        List<String> parts = new ArrayList<>(List.of(INDEX_STEP, name.image(), name.schematic(), version.toString()));
        for (int i = 0; i < arches.size(); i++) {
            parts.add(arches.get(i).goName() + "=" + images.get(i).image().tarballSha256());
        }
        return CacheKey.of(parts.toArray(String[]::new));
    }

    /**
     * The index over the built per-arch images, leased: from the cache, or assembled once however many pulls ask
     * (the scheduler's single flight, build slots, timeout and metrics, {@code output_kind=installer-index}).
     */
    private CompletableFuture<ServedImage> served(RepositoryName name, TalosVersion version, List<Arch> arches,
            List<Asset> tarballs) {
        List<InstallerTarball> images = new ArrayList<>();
        for (Asset tarball : tarballs) {
            images.add(InstallerTarball.of(tarball.artifact()).orElseThrow(() -> new IllegalStateException(
                    tarball.filename() + " is not an installer image in the blob store")));
        }
        CacheKey key = key(name, version, arches, images);
        BuildLabels labels = new BuildLabels(INDEX_KIND, version.toString(), "multi");
        CompletableFuture<ArtifactLease> record = builds.leaseHoldingAsync(key, labels,
                work -> assemble(work, name, version, images));
        CompletableFuture<ServedImage> served = new CompletableFuture<>();
        record.whenComplete((lease, failure) -> {
            if (failure != null) {
                served.completeExceptionally(AsyncLeases.unwrap(failure));
                return;
            }
            try {
                AsyncLeases.handOver(served, whole(key, name, version, lease));
            } catch (RuntimeException | Error e) {
                served.completeExceptionally(e);
            }
        });
        return served;
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

    /**
     * The build action of an index: stores both indexes over the per-arch images (each held by its own record) and
     * writes the tag record, which holds the indexes and those records, so the image is evicted whole.
     */
    private BuildOutput assemble(Path work, RepositoryName name, TalosVersion version, List<InstallerTarball> images)
            throws IOException {
        BlobLeases blobs = new BlobLeases();
        List<ArtifactLease> records = new ArrayList<>(); // leased by this build itself, whoever still waits for it
        AutoCloseable leases = () -> {
            blobs.close();
            records.forEach(ArtifactLease::close);
        };
        try {
            Set<CacheKey> holds = new LinkedHashSet<>();
            Set<Digest> digests = new LinkedHashSet<>();
            List<Descriptor> oci = new ArrayList<>();
            List<Descriptor> docker = new ArrayList<>();
            for (InstallerTarball image : images) {
                records.add(cache.lookupPinned(image.record()).orElseThrow(() -> new StorageUnavailableException(
                        "the installer image " + image.record() + " was evicted before its index was assembled: the "
                        + "cache bound (factory.cache.max-size) is too small for the pulls running at once", null)));
                holds.add(image.record());
                digests.addAll(image.image().digests());
                oci.add(image.image().oci());
                docker.add(image.image().docker());
            }
            TaggedImage tagged = new TaggedImage(
                    store.putDocument(MediaTypes.OCI_INDEX, OciJson.write(ImageIndex.of(MediaTypes.OCI_INDEX, oci)),
                            blobs),
                    store.putDocument(MediaTypes.DOCKER_MANIFEST_LIST,
                            OciJson.write(ImageIndex.of(MediaTypes.DOCKER_MANIFEST_LIST, docker)), blobs));
            List<Digest> signed = signatures.publish(name, tagged, blobs); // held with the image, below
            if (backing.isPresent()) {
                backing.get().pushByDigest(store, tagged.docker(), name);
                backing.get().pushByDigest(store, tagged.oci(), name);
                pushSignatures(name, signed); // before the tag: a tag never exists without its signatures
                backing.get().push(store, tagged.oci(), name, version.toString());
            }
            Path record = work.resolve("tag.json");
            Files.write(record, JSON.writeValueAsBytes(tagged));
            holds.addAll(blobs.keys());
            digests.addAll(blobs.digests());
            origins.remember(digests, new DigestOrigins.Origin(name.repository(), version.toString()));
            LOG.infof("installer image %s:%s is %s", name.repository(), version, tagged.oci().digest());
            return new BuildOutput(record, holds, leases);
        } catch (IOException | RuntimeException | Error e) {
            AsyncLeases.release(leases);
            throw e;
        }
    }

    /** Pushes the cosign signature tag of each of the {@code signed} indexes and manifests to the backing registry. */
    private void pushSignatures(RepositoryName name, List<Digest> signed) throws IOException {
        for (Digest subject : signed) {
            try (InstallerSignatures.Signature signature = signatures.signature(name, subject).orElseThrow()) {
                backing.get().push(store, new Descriptor(MediaTypes.OCI_MANIFEST, signature.digest(),
                        signature.manifest().length), name, InstallerSignatures.tagOf(subject));
            }
        }
    }

    /**
     * The tag record's image, served while {@code record} is leased, if it and everything it references are still
     * in the store (the record holds them; they can be missing only if removed as damaged or from outside).
     */
    private ServedImage whole(CacheKey key, RepositoryName name, TalosVersion version, ArtifactLease record) {
        boolean whole = false;
        try {
            TaggedImage image = JSON.readValue(BlobStore.readAll(record.artifact()), TaggedImage.class);
            whole = complete(image.oci()) && complete(image.docker());
            if (!whole) {
                throw new StorageUnavailableException("installer image " + name.repository() + ":" + version
                        + " (record " + key + ") lost blobs that were removed from the store as damaged", null);
            }
            return new ServedImage(image, record);
        } catch (IOException e) {
            throw new StorageUnavailableException("unreadable installer tag record " + key + ": " + e.getMessage(), e);
        } finally {
            if (!whole) {
                record.close();
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
