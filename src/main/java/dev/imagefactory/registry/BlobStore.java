package dev.imagefactory.registry;

import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.oci.BlobSource;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.Digest;
import dev.imagefactory.oci.ImageSource;
import dev.imagefactory.oci.VerifyingInputStream;
import dev.imagefactory.tools.FileTrees;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The registry frontend's content-addressed store of manifests and blobs, kept in the artifact cache under
 * {@code oci-blob/<digest>} so it shares the cache's atomic publish, size bound and (later) storage backend. Content
 * is verified against its digest before it is published, so a blob served under a digest always has that digest.
 */
@ApplicationScoped
public class BlobStore implements ImageSource {

    private final ArtifactCache cache;

    @Inject
    public BlobStore(ArtifactCache cache) {
        this.cache = cache;
    }

    public Optional<CachedArtifact> get(Digest digest) {
        return cache.lookup(key(digest));
    }

    public boolean has(Digest digest) {
        return get(digest).isPresent();
    }

    /** Stores {@code size} bytes of {@code in} as the blob {@code expected}; refuses content of another digest. */
    public CachedArtifact put(Digest expected, long size, InputStream in) throws IOException {
        Optional<CachedArtifact> known = get(expected);
        if (known.isPresent()) {
            return known.get();
        }
        Path work = cache.newWorkDir("oci-blob");
        try {
            Path file = work.resolve("blob");
            // not closed: the caller owns the stream (a tar reader moves on to its next entry)
            VerifyingInputStream verified = new VerifyingInputStream(in, new Descriptor("", expected, size),
                    "blob " + expected);
            Files.copy(verified, file);
            verified.verifyToEnd();
            return cache.publish(key(expected), file);
        } finally {
            FileTrees.deleteRecursively(work);
        }
    }

    /** Stores a small document (manifest, index, config) under its own digest. */
    public Descriptor putDocument(String mediaType, byte[] content) throws IOException {
        Digest digest = Digest.sha256(content);
        put(digest, content.length, new java.io.ByteArrayInputStream(content));
        return new Descriptor(mediaType, digest, content.length);
    }

    @Override
    public VerifyingInputStream open(Descriptor descriptor) throws IOException {
        CachedArtifact blob = get(descriptor.digest())
                .orElseThrow(() -> new IOException("blob " + descriptor.digest() + " is not in the store"));
        return new VerifyingInputStream(blob.content().open(0, blob.size()), descriptor, "blob store");
    }

    /** All bytes of a small stored document (manifest, index, config, tag record), from wherever the cache keeps it. */
    static byte[] readAll(CachedArtifact document) throws IOException {
        if (document.size() > BlobSource.MAX_DOCUMENT_SIZE) {
            throw new IOException("document " + document.key() + " is " + document.size() + " bytes, too large");
        }
        try (InputStream in = document.content().open(0, document.size())) {
            return in.readAllBytes();
        }
    }

    private static CacheKey key(Digest digest) {
        return CacheKey.of("oci-blob", digest.toString());
    }
}
