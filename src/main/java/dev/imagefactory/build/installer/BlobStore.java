package dev.imagefactory.build.installer;

import dev.imagefactory.cache.ArtifactCache;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.content.Digests;
import dev.imagefactory.content.VerifyingInputStream;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.BlobSource;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageSource;

import dev.imagefactory.content.FileTrees;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The content-addressed store of OCI manifests and blobs (installer images, the registry's indexes), kept in the
 * artifact cache under {@code oci-blob/<digest>} so it shares the cache's atomic publish, size bound and storage
 * backend. Content
 * is verified against its digest before it is published, so a blob served under a digest always has that digest.
 * What is stored comes back {@linkplain ArtifactLease leased} into the caller's {@link BlobLeases}, so the blobs of an
 * image being written stay until the record that holds them is published (the installer step's image record, the
 * registry's tag record). Blobs live in the same storage as the artifacts, so replicas sharing a bucket share them.
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

    /** The blob, leased: it stays in the store until the lease is closed. */
    public Optional<ArtifactLease> lease(Digest digest) {
        return cache.lookupPinned(key(digest));
    }

    public boolean has(Digest digest) {
        return get(digest).isPresent();
    }

    /**
     * Stores {@code size} bytes of {@code in} as the blob {@code expected} (refusing content of another digest) and
     * adds its lease to {@code leases}.
     */
    public CachedArtifact put(Digest expected, long size, InputStream in, BlobLeases leases) throws IOException {
        Optional<ArtifactLease> known = lease(expected);
        if (known.isPresent()) {
            leases.add(expected, known.get());
            return known.get().artifact();
        }
        Path work = cache.newWorkDir("oci-blob");
        try {
            Path file = work.resolve("blob");
            // not closed: the caller owns the stream (a tar reader moves on to its next entry)
            VerifyingInputStream verified = BlobSource.verifying(in, new Descriptor("", expected, size),
                    "blob " + expected);
            Files.copy(verified, file);
            verified.verifyToEnd();
            ArtifactLease published = cache.publishPinned(key(expected), file, java.util.Set.of());
            leases.add(expected, published);
            return published.artifact();
        } finally {
            FileTrees.deleteRecursively(work);
        }
    }

    /**
     * Publishes {@code file} (built in a cache work directory, which it leaves) as the blob {@code expected}, whose
     * digest was computed while the file was written, and adds its lease to {@code leases}.
     */
    public CachedArtifact putFile(Digest expected, Path file, BlobLeases leases) throws IOException {
        Optional<ArtifactLease> known = lease(expected);
        if (known.isPresent()) {
            leases.add(expected, known.get());
            return known.get().artifact();
        }
        ArtifactLease published = cache.publishPinned(key(expected), file, java.util.Set.of());
        leases.add(expected, published);
        if (!expected.equals(published.artifact().sha256Digest())) {
            throw new IOException("blob " + expected + " was published with sha256 " + published.artifact().sha256());
        }
        return published.artifact();
    }

    /** Stores a small document (manifest, index, config) under its own digest. */
    public Descriptor putDocument(String mediaType, byte[] content, BlobLeases leases) throws IOException {
        Digest digest = Digests.sha256(content);
        put(digest, content.length, new java.io.ByteArrayInputStream(content), leases);
        return new Descriptor(mediaType, digest, content.length);
    }

    @Override
    public VerifyingInputStream open(Descriptor descriptor) throws IOException {
        CachedArtifact blob = get(descriptor.digest())
                .orElseThrow(() -> new IOException("blob " + descriptor.digest() + " is not in the store"));
        return BlobSource.verifying(blob.content().open(0, blob.size()), descriptor, "blob store: " + descriptor.digest());
    }

    /** All bytes of a small stored document (manifest, index, config, tag record), from wherever the cache keeps it. */
    public static byte[] readAll(CachedArtifact document) throws IOException {
        if (document.size() > BlobSource.MAX_DOCUMENT_SIZE) {
            throw new IOException("document " + document.key() + " is " + document.size() + " bytes, too large");
        }
        try (InputStream in = document.content().open(0, document.size())) {
            return in.readAllBytes();
        }
    }

    public static CacheKey key(Digest digest) {
        return CacheKey.of("oci-blob", digest.toString());
    }
}
