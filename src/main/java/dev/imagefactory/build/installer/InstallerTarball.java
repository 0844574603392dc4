package dev.imagefactory.build.installer;

import dev.imagefactory.cache.ArtifactContent;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * {@code installer-<arch>.tar} streamed from the blob store: the {@link DockerArchive} layout of a
 * {@link StoredInstallerImage}, any byte range of it, reading each blob only when the stream reaches it. Never written
 * to disk whole; the image's record (leased by whoever serves the tarball) keeps the blobs in the store meanwhile.
 */
public final class InstallerTarball implements ArtifactContent {

    private final BlobStore store;
    private final CacheKey record;
    private final StoredInstallerImage image;
    private final List<DockerArchive.Segment> segments;

    private InstallerTarball(BlobStore store, CacheKey record, StoredInstallerImage image) {
        this.store = store;
        this.record = record;
        this.image = image;
        this.segments = image.tarball();
    }

    /**
     * The tarball of the image whose record is {@code recordLease} (the installer step's cached product), as an
     * artifact leased for as long as the record is: closing the returned lease closes {@code recordLease}.
     */
    public static ArtifactLease lease(ArtifactLease recordLease, BlobStore store) {
        try {
            CachedArtifact record = recordLease.artifact();
            StoredInstallerImage image = StoredInstallerImage.parse(BlobStore.readAll(record));
            InstallerTarball content = new InstallerTarball(store, record.key(), image);
            // its own key, which no stored object has: the bytes are served through this content, never redirected
            CachedArtifact tarball = new CachedArtifact(CacheKey.of("installer-tarball", record.key().hex()), content,
                    image.tarballSize(), Digest.sha256Hex(image.tarballSha256()));
            return ArtifactLease.releasing(tarball, recordLease::close);
        } catch (IOException e) {
            recordLease.close();
            throw new UncheckedIOException("unreadable installer image record " + recordLease.artifact().key()
                    + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            recordLease.close();
            throw e;
        }
    }

    /** The stored image behind an installer tarball artifact, if {@code artifact} is one. */
    public static Optional<InstallerTarball> of(CachedArtifact artifact) {
        return artifact.content() instanceof InstallerTarball tarball ? Optional.of(tarball) : Optional.empty();
    }

    public StoredInstallerImage image() {
        return image;
    }

    /** The cache key of the image's record (which holds its blobs). */
    public CacheKey record() {
        return record;
    }

    @Override
    public Optional<Path> localFile() {
        return Optional.empty();
    }

    @Override
    public InputStream open(long offset, long length) throws IOException {
        return stream(segments, store, offset, length);
    }

    /** Bytes {@code [offset, offset + length)} of the archive laid out as {@code segments}, over {@code store}'s blobs. */
    static InputStream stream(List<DockerArchive.Segment> segments, BlobStore store, long offset, long length)
            throws IOException {
        long total = DockerArchive.size(segments);
        if (offset < 0 || length < 0 || offset + length > total) {
            throw new IOException("range " + offset + "+" + length + " outside the " + total + " bytes of the tarball");
        }
        return new SegmentStream(segments.iterator(), store, offset, length);
    }

    /** Opens each segment's part of the range when the previous one is used up. */
    private static final class SegmentStream extends InputStream {

        private final Iterator<DockerArchive.Segment> segments;
        private final BlobStore store;
        private long skip;
        private long remaining;
        private InputStream current;

        SegmentStream(Iterator<DockerArchive.Segment> segments, BlobStore store, long offset, long length) {
            this.segments = segments;
            this.store = store;
            this.skip = offset;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (remaining > 0) {
                if (current == null && !next()) {
                    throw new IOException("the tarball's segments ended " + remaining + " bytes early");
                }
                int n = current.read(buffer, off, (int) Math.min(len, remaining));
                if (n > 0) {
                    remaining -= n;
                    return n;
                }
                current.close();
                current = null;
            }
            return -1;
        }

        /** Opens the next segment overlapping the range; false when there is none. */
        private boolean next() throws IOException {
            while (segments.hasNext()) {
                DockerArchive.Segment segment = segments.next();
                if (skip >= segment.size()) {
                    skip -= segment.size();
                    continue;
                }
                long from = skip;
                long length = Math.min(segment.size() - from, remaining);
                skip = 0;
                current = open(segment, from, length);
                return true;
            }
            return false;
        }

        private InputStream open(DockerArchive.Segment segment, long from, long length) throws IOException {
            if (segment instanceof DockerArchive.Bytes bytes) {
                return new java.io.ByteArrayInputStream(bytes.content(), (int) from, (int) length);
            } else if (segment instanceof DockerArchive.Blob blob) {
                return openBlob(blob.digest(), from, length);
            }
            return new ZeroStream(length);
        }

        private InputStream openBlob(Digest digest, long from, long length) throws IOException {
            CachedArtifact blob = store.get(digest).orElseThrow(() -> new NoSuchFileException(
                    "blob " + digest + " of an installer image is no longer in the store"));
            return blob.content().open(from, length);
        }

        @Override
        public void close() throws IOException {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }

    private static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] buffer, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(buffer, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
