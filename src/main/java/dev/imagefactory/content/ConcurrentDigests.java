package dev.imagefactory.content;

import dev.imagefactory.model.Digest;
import dev.imagefactory.model.Digest.Algorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Content hashed with several algorithms at once, one thread per algorithm, each reading the content itself. One
 * streaming pass costs the sum of the algorithms' times, and they differ a lot: with the CPU's SHA extensions SHA-256
 * runs at ~1.3 GB/s, SHA-512 (no such help in this JVM) at ~0.55 GB/s, SHA-384 likewise. Artifacts of hundreds of MB
 * are hashed right after a tool wrote them (cold builds wait for it), so they cost the slowest algorithm instead.
 * Content read twice is cheap: a file just written is in the page cache, UKI sections are files or arrays.
 */
public final class ConcurrentDigests {

    /** Opens the content afresh; each algorithm reads it once, from the start. */
    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;
    }

    /** A file's size and digests. */
    public record FileDigests(long size, Map<Algorithm, Digest> digests) {
        public Digest digest(Algorithm algorithm) {
            Digest digest = digests.get(algorithm);
            if (digest == null) {
                throw new IllegalArgumentException("not hashed with " + algorithm);
            }
            return digest;
        }
    }

    private static final int CHUNK = 1 << 20;
    /** Idle threads end after a minute; at most one per algorithm beyond the first per running hash. */
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(DaemonThreads.named("digest-worker-"));

    private ConcurrentDigests() {
    }

    /**
     * The file's size and its digest with each algorithm, while the file is flushed to disk (fsync) on another thread:
     * a file about to become visible must be durable, and writing back hundreds of MB takes as long as hashing them.
     */
    public static FileDigests ofFileAndSync(Path file, Algorithm... algorithms) throws IOException {
        List<String> names = jcaNames(algorithms);
        CompletableFuture<Void> synced = CompletableFuture.runAsync(() -> force(file), WORKERS);
        long[] size = new long[1];
        Map<String, byte[]> raw;
        try {
            raw = run(names, (name, hasher) -> {
                long read = hashFile(file, hasher);
                if (name.equals(names.get(0))) {
                    size[0] = read;
                }
            });
        } finally {
            awaitAll(List.of(synced));
        }
        return new FileDigests(size[0], digests(raw, algorithms));
    }

    /** The content's digest with each algorithm. */
    public static Map<Algorithm, Digest> of(Content content, Algorithm... algorithms) throws IOException {
        return digests(raw(content, jcaNames(algorithms)), algorithms);
    }

    /** The raw digest of the content with each algorithm (JCA names), as {@link Digests#raw(InputStream, List)}. */
    public static Map<String, byte[]> raw(Content content, List<String> jcaAlgorithms) throws IOException {
        return run(jcaAlgorithms, (name, hasher) -> {
            try (InputStream in = content.open()) {
                byte[] buffer = new byte[CHUNK];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    hasher.update(buffer, 0, n);
                }
            }
        });
    }

    private static List<String> jcaNames(Algorithm... algorithms) {
        return Arrays.stream(algorithms).map(Algorithm::jcaName).toList();
    }

    private static Map<Algorithm, Digest> digests(Map<String, byte[]> raw, Algorithm... algorithms) {
        Map<Algorithm, Digest> digests = new EnumMap<>(Algorithm.class);
        HexFormat hex = HexFormat.of();
        for (Algorithm algorithm : algorithms) {
            digests.put(algorithm, new Digest(algorithm, hex.formatHex(raw.get(algorithm.jcaName()))));
        }
        return digests;
    }

    @FunctionalInterface
    private interface Pass {
        void hash(String algorithm, MessageDigest hasher) throws IOException;
    }

    /** The first algorithm on the calling thread, every other on a worker; waits for all. */
    private static Map<String, byte[]> run(List<String> algorithms, Pass pass) throws IOException {
        Map<String, MessageDigest> hashers = new LinkedHashMap<>();
        for (String algorithm : algorithms) {
            hashers.put(algorithm, Digests.newHasher(algorithm));
        }
        List<CompletableFuture<Void>> others = new ArrayList<>();
        String first = null;
        for (Map.Entry<String, MessageDigest> entry : hashers.entrySet()) {
            if (first == null) {
                first = entry.getKey();
                continue;
            }
            others.add(CompletableFuture.runAsync(() -> {
                try {
                    pass.hash(entry.getKey(), entry.getValue());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, WORKERS));
        }
        try {
            if (first != null) {
                pass.hash(first, hashers.get(first));
            }
        } finally {
            awaitAll(others);
        }
        Map<String, byte[]> digests = new LinkedHashMap<>();
        hashers.forEach((algorithm, hasher) -> digests.put(algorithm, hasher.digest()));
        return digests;
    }

    private static void awaitAll(List<CompletableFuture<Void>> futures) throws IOException {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
    }

    /** 1 MiB reads: multi-GiB artifacts (disk images) hash at the digest's speed, not the syscalls'. */
    private static long hashFile(Path file, MessageDigest hasher) throws IOException {
        long size = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] chunk = new byte[CHUNK];
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            for (int n; (n = channel.read(buffer.clear())) != -1; ) {
                hasher.update(chunk, 0, n);
                size += n;
            }
        }
        return size;
    }

    /** fsync through a read-only channel: Linux flushes the file's data either way, and a read-only file works too. */
    private static void force(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush " + file + " to disk", e);
        }
    }
}
