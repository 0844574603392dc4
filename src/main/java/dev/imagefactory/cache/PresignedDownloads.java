package dev.imagefactory.cache;

import dev.imagefactory.cache.s3.S3ArtifactCache;
import dev.imagefactory.cache.s3.S3Storage;
import dev.imagefactory.errors.StorageUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The storage's ability to hand a download to the client directly: with {@code factory.cache.backend=s3} and
 * {@code factory.cache.s3.redirect=true}, a presigned GET of the artifact's object (reference §1.4 step 9), valid
 * for {@code factory.cache.s3.redirect-ttl}. Which object holds an artifact is this package's business alone; callers
 * name the artifact. Presigning that fails, or an object that is gone, gives no link: the caller serves the bytes.
 */
@ApplicationScoped
public class PresignedDownloads {

    private static final Logger LOG = Logger.getLogger(PresignedDownloads.class);

    private final Optional<S3Storage> s3;

    public PresignedDownloads(SharedStorage shared) {
        this.s3 = shared.s3().filter(s -> s.settings().redirect());
    }

    /** Whether this storage can presign downloads at all (else {@link #link} is always empty). */
    public boolean enabled() {
        return s3.isPresent();
    }

    /**
     * A presigned URL answering with the given {@code Content-Disposition} and {@code Content-Type}, or empty to
     * serve the bytes through the service.
     */
    public Optional<URI> link(CachedArtifact artifact, String contentDisposition, String contentType) {
        if (s3.isEmpty()) {
            return Optional.empty();
        }
        try {
            String object = S3ArtifactCache.objectName(artifact.key());
            if (s3.get().bucket().stat(object).isEmpty()) {
                return Optional.empty(); // e.g. deleted as damaged by another replica: our local copy serves
            }
            return Optional.of(URI.create(s3.get().bucket().presignedGet(object, s3.get().settings().redirectTtl(),
                    Map.of("response-content-disposition", contentDisposition,
                            "response-content-type", contentType))));
        } catch (StorageUnavailableException e) {
            LOG.warnf("serving %s directly: %s", artifact.key(), e.getMessage());
            return Optional.empty();
        }
    }
}
