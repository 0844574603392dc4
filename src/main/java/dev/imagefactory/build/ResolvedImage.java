package dev.imagefactory.build;

import dev.imagefactory.cache.CachedArtifact;
import java.net.URI;
import java.util.Objects;

/**
 * What an {@link ImageRequest} resolves to: the asset's bytes, its checksum line, its signature's subject, or a URL
 * where the storage serves it. Each also says which {@link BuildRequest} it answers (the PXE script names the assets of the same profile).
 * Only {@link Bytes} holds anything: close it when its body is written (closing the others does nothing).
 */
public sealed interface ResolvedImage extends AutoCloseable {

    /** The checked request it resolved (profile, schematic, version tag). */
    BuildRequest request();

    @Override
    default void close() {
    }

    /** The asset itself, leased, under its download name and media type. */
    record Bytes(BuildRequest request, Asset asset) implements ResolvedImage {
        public Bytes {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(asset, "asset");
        }

        public CachedArtifact artifact() {
            return asset.artifact();
        }

        @Override
        public void close() {
            asset.close();
        }
    }

    /**
     * A checksum sidecar ({@code .sha256}/{@code .sha512}): {@code <hex>  <filename>\n}, from the digests recorded
     * when the asset was stored (never re-hashed).
     *
     * @param filename the asset's download name (the line names it; the sidecar's own name adds the suffix)
     */
    record Checksum(BuildRequest request, AssetPath.Sidecar kind, String hex, String filename) implements ResolvedImage {
        public Checksum {
            Objects.requireNonNull(request, "request");
            if (!kind.isChecksum()) {
                throw new IllegalArgumentException(kind + " is not a checksum");
            }
            Objects.requireNonNull(hex, "hex");
        }

        public String line() {
            return hex + "  " + DownloadNames.clean(filename) + "\n";
        }

        /** The sidecar's own download name: the asset's plus {@code .sha256} or {@code .sha512}. */
        public String attachmentName() {
            return DownloadNames.clean(filename) + kind.suffix();
        }
    }

    /**
     * A Sigstore bundle sidecar ({@code .sigstore.json}) of the asset whose SHA-256 (recorded when it was stored,
     * never re-hashed) is {@code sha256}; the front end signs it.
     *
     * @param filename the asset's download name (the bundle's own adds {@code .sigstore.json})
     */
    record Signed(BuildRequest request, String sha256, String filename) implements ResolvedImage {
        public Signed {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(sha256, "sha256");
        }

        /** The bundle's own download name. */
        public String attachmentName() {
            return DownloadNames.clean(filename) + AssetPath.Sidecar.SIGSTORE_BUNDLE.suffix();
        }
    }

    /** The asset is downloaded from the storage at {@code target} (a presigned URL with its name and media type). */
    record Redirect(BuildRequest request, URI target) implements ResolvedImage {
        public Redirect {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(target, "target");
        }
    }
}
