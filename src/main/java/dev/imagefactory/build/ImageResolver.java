package dev.imagefactory.build;

import dev.imagefactory.cache.PresignedDownloads;
import dev.imagefactory.schematic.CanonicalSchematic;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The one way from a request for a boot asset to what answers it, for every front end (the reference's image
 * application, which its HTTP handlers only map to responses): checks in the reference's order (schematic → version
 * → path → customisations against the version, {@link AssetService#request}), then the asset from the cache or built
 * ({@link AssetService#asset}) as a waiting request ({@link ArtifactBuilds#admitted}), then one of
 * {@link ResolvedImage}: its checksum line (SHA-512 through {@link Sha512Sidecars}), what its signature bundle signs,
 * a presigned storage URL (when the caller may be redirected and the storage can presign), or its bytes, leased.
 */
@ApplicationScoped
public class ImageResolver {

    private final AssetService assets;
    private final ArtifactBuilds builds;
    private final PresignedDownloads downloads;
    private final Executor storageCalls;
    private final Sha512Sidecars sha512;

    @Inject
    ImageResolver(AssetService assets, ArtifactBuilds builds, PresignedDownloads downloads, Sha512Sidecars sha512) {
        // presigning asks the store whether the object is there: not on the build thread that completes the future
        this(assets, builds, downloads, task -> Infrastructure.getDefaultWorkerPool().execute(task), sha512);
    }

    ImageResolver(AssetService assets, ArtifactBuilds builds, PresignedDownloads downloads, Executor storageCalls,
            Sha512Sidecars sha512) {
        this.assets = assets;
        this.builds = builds;
        this.downloads = downloads;
        this.storageCalls = storageCalls;
        this.sha512 = sha512;
    }

    /** Whether any request may be answered with a redirect: the storage can presign downloads. */
    public boolean canRedirect() {
        return downloads.enabled();
    }

    /**
     * What answers {@code request}. Refusals found before building are thrown here ({@code InvalidInputException},
     * {@code NotFoundException}, …, the exceptions {@code /image} has always answered with); those found while
     * building fail the future, possibly wrapped in a {@link java.util.concurrent.CompletionException}. Waiting holds
     * no thread. Whoever takes the value closes it (only {@link ResolvedImage.Bytes} holds a lease).
     */
    public CompletableFuture<ResolvedImage> resolve(ImageRequest request) {
        BuildRequest checked = assets.request(request.schematicId(), request.version(), request.asset());
        Optional<AssetPath.Sidecar> sidecar = request.asset().sidecar();
        CompletableFuture<Asset> built = builds.admitted(() -> assets.asset(checked, request.asset()));
        boolean asksStorage = sidecar.isEmpty() && request.mayRedirect() && downloads.enabled();
        boolean cached = built.isDone(); // a cache hit: answered on the caller's thread
        CompletableFuture<ResolvedImage> resolved = new CompletableFuture<>();
        built.whenComplete((asset, failure) -> {
            if (failure != null) {
                resolved.completeExceptionally(failure);
                return;
            }
            if (sidecar.isPresent() && sidecar.get() == AssetPath.Sidecar.SHA512) {
                answerSha512(checked, asset, request.downloadName(), resolved);
                return;
            }
            Runnable answer = () -> {
                try {
                    resolved.complete(answer(request, checked, asset));
                } catch (RuntimeException | Error e) {
                    asset.close();
                    resolved.completeExceptionally(e);
                }
            };
            if (cached || !asksStorage) {
                answer.run();
                return;
            }
            try {
                storageCalls.execute(answer);
            } catch (RuntimeException e) { // the pool is shutting down
                asset.close();
                resolved.completeExceptionally(e);
            }
        });
        return resolved;
    }

    /**
     * The assets of several requests that are answered together (the registry's per-architecture installers of one
     * tag), leased: every request is checked before any build starts, then all are built in parallel. Not admitted
     * on their own: the caller's chain is one waiting request ({@link ArtifactBuilds#admitted}). Refusals found
     * before building are thrown (nothing is left building for nobody); whoever takes the futures' values closes them.
     */
    public List<CompletableFuture<Asset>> assetsTogether(List<ImageRequest> requests) {
        List<BuildRequest> checked = new ArrayList<>();
        Map<String, CanonicalSchematic> schematics = new HashMap<>(); // each schematic looked up and parsed once
        for (ImageRequest request : requests) {
            CanonicalSchematic schematic = schematics.computeIfAbsent(request.schematicId(), assets::schematic);
            checked.add(assets.request(schematic, request.version(), request.asset()));
        }
        List<CompletableFuture<Asset>> built = new ArrayList<>();
        try {
            for (int i = 0; i < requests.size(); i++) {
                built.add(assets.asset(checked.get(i), requests.get(i).asset()));
            }
        } catch (RuntimeException | Error e) {
            built.forEach(AsyncLeases::releaseWhenDone); // a later one refused: nobody takes the earlier ones
            throw e;
        }
        return built;
    }

    /** The {@code .sha512} line of the built asset, which this method owns: hashed once, on the first request. */
    private void answerSha512(BuildRequest checked, Asset asset, String name, CompletableFuture<ResolvedImage> resolved) {
        try {
            sha512.hex(checked, asset).whenComplete((hex, failure) -> {
                if (failure != null) {
                    resolved.completeExceptionally(failure);
                } else {
                    resolved.complete(new ResolvedImage.Checksum(checked, AssetPath.Sidecar.SHA512, hex, name));
                }
            });
        } catch (RuntimeException | Error e) { // the asset is closed
            resolved.completeExceptionally(e);
        }
    }

    /** The answer for the built asset, which this method owns: closed here unless handed on in {@link ResolvedImage.Bytes}. */
    private ResolvedImage answer(ImageRequest request, BuildRequest checked, Asset built) {
        String name = request.downloadName();
        Optional<AssetPath.Sidecar> sidecar = request.asset().sidecar();
        if (sidecar.isPresent() && sidecar.get() == AssetPath.Sidecar.SIGSTORE_BUNDLE) {
            try (built) {
                return new ResolvedImage.Signed(checked, built.artifact().sha256(), name);
            }
        }
        if (sidecar.isPresent()) { // SHA-256: recorded when the artifact was published
            try (built) {
                return new ResolvedImage.Checksum(checked, sidecar.get(), built.artifact().sha256(), name);
            }
        }
        if (request.mayRedirect()) {
            Optional<URI> link = downloads.link(built.artifact(), DownloadNames.contentDisposition(name),
                    built.contentType());
            if (link.isPresent()) {
                built.close();
                return new ResolvedImage.Redirect(checked, link.get());
            }
        }
        return new ResolvedImage.Bytes(checked, new Asset(built.lease(), name, built.contentType()));
    }
}
