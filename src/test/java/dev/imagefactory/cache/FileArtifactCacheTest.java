package dev.imagefactory.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.content.HashedFileWriter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileArtifactCacheTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Random random = new Random(42);

    private FileArtifactCache open(long maxBytes) {
        return new FileArtifactCache(dir.resolve("cache"), maxBytes, registry);
    }

    private byte[] bytes(int size) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        return data;
    }

    /** Writes {@code data} into a fresh work directory of the cache, as a build would. */
    private static Path built(FileArtifactCache cache, byte[] data) throws IOException {
        Path file = cache.newWorkDir("test").resolve("out.bin");
        Files.write(file, data);
        return file;
    }

    private static CacheKey key(String name) {
        return CacheKey.of("test", name);
    }

    private static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    @Test
    void publishThenLookupGivesTheBytesAndTheirDigests() throws Exception {
        FileArtifactCache cache = open(1 << 30);
        byte[] data = bytes(3 * 1024 * 1024 + 17); // several hash buffers and a partial one
        Path file = built(cache, data);
        CachedArtifact published = cache.publish(key("a"), file);

        assertFalse(Files.exists(file), "the built file is moved, not copied");
        assertEquals(data.length, published.size());
        assertEquals(hex("SHA-256", data), published.sha256());
        String k = key("a").hex();
        assertEquals(dir.resolve("cache/objects").resolve(k.substring(0, 2)).resolve(k).toAbsolutePath(), published.file());
        assertArrayEquals(data, Files.readAllBytes(published.file()));

        JsonNode metadata = new ObjectMapper().readTree(published.file().resolveSibling(k + ".json").toFile());
        assertEquals(k, metadata.get("key").asText());
        assertEquals(data.length, metadata.get("size").asLong());
        assertEquals(published.sha256(), metadata.get("sha256").asText());
        assertFalse(metadata.has("sha512"), "a SHA-512 is hashed only when asked for (Sha512Sidecars)");
        assertTrue(metadata.hasNonNull("created"));

        assertEquals(published, cache.lookup(key("a")).orElseThrow());
        assertTrue(cache.lookup(key("b")).isEmpty());
        assertEquals(data.length, cache.sizeBytes());
        assertEquals(data.length, registry.get("image_factory_asset_cache_size_bytes").gauge().value());
    }

    @Test
    void metadataOfEarlierVersionsWithASha512IsStillRead() throws Exception {
        byte[] data = bytes(1000);
        CachedArtifact published = open(1 << 30).publish(key("earlier"), built(open(1 << 30), data));
        Path metadata = published.file().resolveSibling(key("earlier").hex() + ".json");
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(metadata.toFile());
        json.put("sha512", hex("SHA-512", data)); // as entries written before issue 20 have it
        Files.write(metadata, new ObjectMapper().writeValueAsBytes(json));

        CachedArtifact reread = open(1 << 30).lookup(key("earlier")).orElseThrow();
        assertEquals(hex("SHA-256", data), reread.sha256());
        assertArrayEquals(data, Files.readAllBytes(reread.file()));
    }

    @Test
    void anIntermediateIsUsableAtOnceAndGetsItsDigestAndMetadataInTheBackground() throws Exception {
        FileArtifactCache cache = open(1L << 30);
        byte[] data = bytes(24 * 1024 * 1024 + 5);
        Path metadata = cache.metadataPath(key("i"));
        CachedArtifact artifact;
        try (ArtifactLease lease = cache.publishLocalPinned(key("i"), built(cache, data))) {
            artifact = lease.artifact();
            assertEquals(data.length, artifact.size());
            assertArrayEquals(data, Files.readAllBytes(artifact.file()), "the file is in place for the next step");
            assertEquals(hex("SHA-256", data), artifact.sha256(), "the digest, when asked for, is the file's");
            assertTrue(artifact.sha256Known());
            for (int i = 0; i < 500 && !Files.exists(metadata); i++) {
                Thread.sleep(10); // written right after the digest, on the hashing thread
            }
            JsonNode written = new ObjectMapper().readTree(metadata.toFile());
            assertEquals(artifact.sha256(), written.get("sha256").asText());
            assertEquals(data.length, written.get("size").asLong());
            assertEquals(artifact, cache.lookupLocal(key("i")).orElseThrow());
            assertTrue(cache.pin(artifact).isPresent(), "the artifact handed out is the indexed one");
        }
        FileArtifactCache restarted = new FileArtifactCache(cache.root(), 1L << 30, new SimpleMeterRegistry());
        assertEquals(artifact, restarted.lookupLocal(key("i")).orElseThrow(), "with its metadata it survives a restart");
    }

    @Test
    void anIntermediateItsStepHashedWhileWritingIsPublishedWithItsMetadata() throws Exception {
        FileArtifactCache cache = open(1L << 30);
        byte[] data = bytes(3 * 1024 * 1024 + 1);
        Path file = cache.newWorkDir("test").resolve("out.bin");
        try (HashedFileWriter writer = HashedFileWriter.create(file)) {
            writer.write(data, 0, data.length);
            writer.finish();
        }
        try (ArtifactLease lease = cache.publishLocalPinned(key("h"), file)) {
            assertTrue(lease.artifact().sha256Known(), "nothing left to hash");
            assertEquals(hex("SHA-256", data), lease.artifact().sha256());
            assertTrue(Files.exists(cache.metadataPath(key("h"))), "metadata before the artifact, as for final ones");
        }
    }

    @Test
    void aDiscardedWorkDirLeavesAtOnceAndIsDeletedInTheBackground() throws Exception {
        FileArtifactCache cache = open(1 << 20);
        Path workDir = cache.newWorkDir("disk-raw");
        Files.createDirectories(workDir.resolve("tree/sub"));
        Files.write(workDir.resolve("tree/sub/file"), bytes(1000));
        try (java.nio.channels.FileChannel sparse = java.nio.channels.FileChannel.open(workDir.resolve("disk.raw"),
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            sparse.write(java.nio.ByteBuffer.wrap(bytes(4096)), 1L << 32); // 4 GiB apparent, mostly a hole
        }

        cache.discardWorkDir(workDir);

        assertFalse(Files.exists(workDir), "gone from the work area when the call returns");
        Path trash = cache.root().resolve(FileArtifactCache.TRASH);
        for (int i = 0; i < 500 && Files.list(trash).findAny().isPresent(); i++) {
            Thread.sleep(10);
        }
        try (Stream<Path> left = Files.list(trash)) {
            assertEquals(0, left.count(), "and deleted soon after");
        }
        Path leftover = Files.createDirectories(trash.resolve("iso-123/tree"));
        Files.write(leftover.resolve("f"), bytes(10));
        open(1 << 20);
        assertFalse(Files.exists(leftover.getParent()), "what a stop left in the trash goes at startup");
    }

    @Test
    void emptyArtifactsArePublishedToo() throws Exception {
        FileArtifactCache cache = open(1000);
        CachedArtifact empty = cache.publish(key("empty"), built(cache, new byte[0]));
        assertEquals(0, empty.size());
        assertEquals(hex("SHA-256", new byte[0]), empty.sha256());
        assertTrue(cache.lookup(key("empty")).isPresent());
    }

    @Test
    void publishingAKeyAgainKeepsTheFirstArtifact() throws Exception {
        FileArtifactCache cache = open(1 << 20);
        CachedArtifact first = cache.publish(key("a"), built(cache, bytes(100)));
        Path second = built(cache, bytes(200));
        assertEquals(first, cache.publish(key("a"), second));
        assertFalse(Files.exists(second), "the duplicate is discarded");
        assertEquals(100, cache.sizeBytes());
    }

    @Test
    void refusesToPublishWhatIsNotARegularFile() throws Exception {
        FileArtifactCache cache = open(1 << 20);
        Path workDir = cache.newWorkDir("x");
        assertThrows(IllegalArgumentException.class, () -> cache.publish(key("a"), workDir));
        assertThrows(IllegalArgumentException.class, () -> cache.publish(key("a"), workDir.resolve("missing")));
        Path target = built(cache, bytes(10));
        Path link = Files.createSymbolicLink(workDir.resolve("link"), target);
        assertThrows(IllegalArgumentException.class, () -> cache.publish(key("a"), link));
        assertTrue(cache.lookup(key("a")).isEmpty());
    }

    @Test
    void workDirsAreFreshAndBelowTheCache() throws Exception {
        FileArtifactCache cache = open(1 << 20);
        Path a = cache.newWorkDir("metal-amd64.iso");
        Path b = cache.newWorkDir("metal-amd64.iso");
        Path odd = cache.newWorkDir("../../etc/passwd\n");
        assertNotEquals(a, b);
        for (Path p : List.of(a, b, odd)) {
            assertTrue(Files.isDirectory(p));
            assertEquals(dir.resolve("cache/work").toAbsolutePath(), p.getParent());
            try (Stream<Path> s = Files.list(p)) {
                assertEquals(0, s.count());
            }
        }
        assertTrue(a.getFileName().toString().startsWith("metal-amd64.iso-"));
    }

    @Test
    void aNewInstanceFindsEverythingAndRemovesCrashLeftovers() throws Exception {
        FileArtifactCache first = open(1 << 20);
        CachedArtifact a = first.publish(key("a"), built(first, bytes(1000)));
        CachedArtifact b = first.publish(key("b"), built(first, bytes(2000)));
        Path root = first.root();

        // What a crash can leave behind.
        Path unfinishedBuild = first.newWorkDir("crashed");
        Files.createDirectories(unfinishedBuild.resolve("rootfs/usr"));
        Files.write(unfinishedBuild.resolve("rootfs/usr/file"), bytes(10));
        unfinishedBuild.resolve("rootfs/usr").toFile().setWritable(false); // read-only trees must go too
        Path tmpMetadata = a.file().resolveSibling(".tmp-12345678-999.json");
        Files.writeString(tmpMetadata, "{\"ver");
        // metadata renamed, crash before the artifact's rename
        CacheKey orphanKey = key("orphan");
        Path orphanMetadata = first.metadataPath(orphanKey);
        Files.createDirectories(orphanMetadata.getParent());
        Files.copy(a.file().resolveSibling(a.key().hex() + ".json"), orphanMetadata);
        // an artifact without metadata and one whose metadata disagrees with it: never served
        CacheKey bareKey = key("bare");
        Path bare = first.artifactPath(bareKey);
        Files.createDirectories(bare.getParent());
        Files.write(bare, bytes(10));
        CacheKey truncatedKey = key("truncated");
        CachedArtifact truncated = first.publish(truncatedKey, built(first, bytes(500)));
        Files.write(truncated.file(), bytes(499));
        CacheKey garbledKey = key("garbled");
        CachedArtifact garbled = first.publish(garbledKey, built(first, bytes(10)));
        Files.writeString(first.metadataPath(garbledKey), "not json");
        Path unrelated = root.resolve("objects/README");
        Files.writeString(unrelated, "kept");

        FileArtifactCache second = new FileArtifactCache(root, 1 << 20, new SimpleMeterRegistry());

        assertEquals(a, second.lookup(key("a")).orElseThrow());
        assertEquals(b, second.lookup(key("b")).orElseThrow());
        assertEquals(3000, second.sizeBytes());
        assertEquals(2, second.artifactCount());
        try (Stream<Path> s = Files.list(root.resolve("work"))) {
            assertEquals(0, s.count(), "leftover work directories are removed");
        }
        assertFalse(Files.exists(tmpMetadata));
        assertFalse(Files.exists(orphanMetadata));
        assertFalse(Files.exists(bare));
        assertTrue(second.lookup(bareKey).isEmpty());
        assertTrue(second.lookup(truncatedKey).isEmpty());
        assertFalse(Files.exists(truncated.file()));
        assertFalse(Files.exists(first.metadataPath(truncatedKey)));
        assertTrue(second.lookup(garbledKey).isEmpty());
        assertFalse(Files.exists(garbled.file()));
        assertTrue(Files.exists(unrelated), "files the cache does not own are left alone");
    }

    @Test
    void evictsTheLeastRecentlyUsedBeyondTheBound() throws Exception {
        FileArtifactCache cache = open(3000);
        cache.publish(key("a"), built(cache, bytes(1000)));
        cache.publish(key("b"), built(cache, bytes(1000)));
        CachedArtifact c = cache.publish(key("c"), built(cache, bytes(1000)));
        assertTrue(cache.lookup(key("a")).isPresent()); // a is now more recent than b

        CachedArtifact d = cache.publish(key("d"), built(cache, bytes(1000)));

        assertTrue(cache.lookup(key("b")).isEmpty(), "b was the least recently used");
        assertFalse(Files.exists(cache.artifactPath(key("b"))));
        assertFalse(Files.exists(cache.metadataPath(key("b"))));
        assertTrue(cache.lookup(key("a")).isPresent());
        assertTrue(cache.lookup(key("c")).isPresent());
        assertTrue(cache.lookup(key("d")).isPresent());
        assertEquals(3000, cache.sizeBytes());
        assertEquals(1.0, registry.get("image_factory_asset_cache_evictions_total").counter().count());
        assertEquals(1000.0, registry.get("image_factory_asset_cache_evicted_bytes_total").counter().count());

        // One large artifact pushes out several, oldest use first: c, then a.
        cache.lookup(key("c"));
        cache.lookup(key("a"));
        cache.publish(key("e"), built(cache, bytes(2500)));
        assertTrue(cache.lookup(key("d")).isEmpty());
        assertTrue(cache.lookup(key("c")).isEmpty());
        assertTrue(cache.lookup(key("a")).isEmpty());
        assertTrue(cache.lookup(key("e")).isPresent());
        assertEquals(2500, cache.sizeBytes());
        assertTrue(Files.exists(d.file()) == false && Files.exists(c.file()) == false);
    }

    @Test
    void staysWithinTheBoundOverManyPublishes() throws Exception {
        long max = 20_000;
        FileArtifactCache cache = open(max);
        List<CacheKey> keys = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            CacheKey k = key("n" + i);
            keys.add(k);
            cache.publish(k, built(cache, bytes(1 + random.nextInt(9000))));
            if (i % 3 == 0) {
                cache.lookup(keys.get(random.nextInt(keys.size())));
            }
            assertTrue(cache.sizeBytes() <= max, "size " + cache.sizeBytes() + " after publish " + i);
            assertEquals(cache.sizeBytes(), onDiskBytes(cache));
        }
        assertTrue(cache.sizeBytes() > max / 2, "eviction stops once within the bound");
    }

    private static long onDiskBytes(FileArtifactCache cache) throws IOException {
        try (Stream<Path> files = Files.walk(cache.root().resolve("objects"))) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().endsWith(".json"))
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    @Test
    void anArtifactLargerThanTheBoundIsKeptUntilTheNextPublish() throws Exception {
        FileArtifactCache cache = open(1000);
        cache.publish(key("small"), built(cache, bytes(500)));
        CachedArtifact big = cache.publish(key("big"), built(cache, bytes(5000)));
        assertTrue(cache.lookup(key("small")).isEmpty());
        assertEquals(big, cache.lookup(key("big")).orElseThrow(), "the artifact just published is never its own victim");
        cache.publish(key("next"), built(cache, bytes(100)));
        assertTrue(cache.lookup(key("big")).isEmpty());
        assertEquals(100, cache.sizeBytes());
    }

    @Test
    void restartOrdersByLastUseAndEvictsDownToANewBound() throws Exception {
        FileArtifactCache first = open(1 << 20);
        CachedArtifact a = first.publish(key("a"), built(first, bytes(1000)));
        CachedArtifact b = first.publish(key("b"), built(first, bytes(1000)));
        CachedArtifact c = first.publish(key("c"), built(first, bytes(1000)));
        long now = System.currentTimeMillis();
        Files.setLastModifiedTime(b.file(), FileTime.fromMillis(now - 3_600_000)); // least recently used
        Files.setLastModifiedTime(a.file(), FileTime.fromMillis(now - 1_800_000));
        Files.setLastModifiedTime(c.file(), FileTime.fromMillis(now - 10_000)); // too recent to be re-persisted

        FileArtifactCache smaller = new FileArtifactCache(first.root(), 2000, new SimpleMeterRegistry());
        assertTrue(smaller.lookup(key("b")).isEmpty());
        assertTrue(smaller.lookup(key("a")).isPresent());
        assertTrue(smaller.lookup(key("c")).isPresent());

        // A lookup persists the use (at most once a minute), so the order survives a restart.
        FileArtifactCache third = new FileArtifactCache(first.root(), 2000, new SimpleMeterRegistry());
        assertTrue(Files.getLastModifiedTime(a.file()).toMillis() >= now - 1000);
        third.publish(key("d"), built(third, bytes(1000)));
        assertTrue(third.lookup(key("a")).isPresent(), "a was used more recently than c");
        assertTrue(third.lookup(key("c")).isEmpty());
    }

    @Test
    void anArtifactDeletedBehindTheCachesBackIsAMiss() throws Exception {
        FileArtifactCache cache = open(1 << 20);
        CachedArtifact a = cache.publish(key("a"), built(cache, bytes(1000)));
        Files.delete(a.file());
        assertTrue(cache.lookup(key("a")).isEmpty());
        assertEquals(0, cache.sizeBytes());
        assertFalse(Files.exists(cache.metadataPath(key("a"))));
        CachedArtifact again = cache.publish(key("a"), built(cache, bytes(10)));
        assertEquals(again, cache.lookup(key("a")).orElseThrow());
    }

    @Test
    void anUnusableDirectoryDoesNotPreventStartup() throws Exception {
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "x");
        FileArtifactCache cache = new FileArtifactCache(notADir.resolve("cache"), 1000, registry);
        assertTrue(cache.lookup(key("a")).isEmpty());
        assertThrows(java.io.UncheckedIOException.class, () -> cache.newWorkDir("x"));
    }
}
