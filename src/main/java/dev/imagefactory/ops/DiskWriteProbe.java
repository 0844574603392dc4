package dev.imagefactory.ops;

import dev.imagefactory.errors.LocalStorageFaults;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Whether directories can take a write right now. Permission bits and an empty file miss a full disk (creating an
 * empty file needs no data block), so the probe writes {@value #PROBE_BYTES} real bytes and flushes them to the
 * device. It runs on its own thread and is waited for at most {@code timeout} (a hung disk must not hang
 * {@code /readyz}; nobody blocks on it there), and its verdict is reused for {@code reuse} so probe traffic does not turn into disk traffic.
 */
final class DiskWriteProbe {

    static final int PROBE_BYTES = 4096;
    static final String PREFIX = ".readyz-";
    static final String SUFFIX = ".probe";
    private static final Logger LOG = Logger.getLogger(DiskWriteProbe.class);

    record Verdict(boolean writable, String reason, long atNanos) {
    }

    private final List<Path> dirs;
    private final Duration timeout;
    private final Duration reuse;
    private final Executor executor;
    /** Guarded by {@code this}. */
    private Verdict last;
    /** The probe under way, if any; guarded by {@code this}. */
    private CompletableFuture<Verdict> running;

    DiskWriteProbe(List<Path> dirs, Duration timeout, Duration reuse) {
        this.dirs = List.copyOf(dirs);
        this.timeout = timeout;
        this.reuse = reuse;
        this.executor = runnable -> {
            Thread thread = new Thread(runnable, "disk-write-probe");
            thread.setDaemon(true);
            thread.start();
        };
    }

    /** Removes probe files a crash left behind. */
    void removeLeftovers() {
        for (Path dir : dirs) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
                for (Path file : files) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                LOG.debugf(e, "could not remove old probe files in %s", dir);
            }
        }
    }

    /** The current verdict: a recent one, or a fresh probe's (not writable if it does not finish in time). */
    Verdict verdict() {
        return verdictAsync().join();
    }

    /**
     * Like {@link #verdict()} without blocking the caller (the readiness check runs on the event loop): completes with
     * a recent verdict at once, else with the probe's, or "not writable" when it takes longer than the timeout.
     */
    CompletableFuture<Verdict> verdictAsync() {
        CompletableFuture<Verdict> probe;
        synchronized (this) {
            if (last != null && System.nanoTime() - last.atNanos() < reuse.toNanos()) {
                return CompletableFuture.completedFuture(last);
            }
            if (running == null) {
                CompletableFuture<Verdict> started = CompletableFuture.supplyAsync(this::probeNow, executor);
                running = started;
                started.thenAccept(this::record); // may run at once, on this thread
                probe = started;
            } else {
                probe = running;
            }
        }
        return probe.copy()
                .completeOnTimeout(new Verdict(false, "a " + PROBE_BYTES + "-byte write did not finish within "
                        + timeout.toMillis() + " ms", System.nanoTime()), timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> new Verdict(false, String.valueOf(e.getCause() != null ? e.getCause() : e),
                        System.nanoTime()));
    }

    private synchronized void record(Verdict verdict) {
        if (verdict == null) {
            running = null;
            return;
        }
        boolean wasWritable = last == null || last.writable();
        if (wasWritable && !verdict.writable()) {
            LOG.warnf("local storage cannot take a write, /readyz answers 503: %s", verdict.reason());
        } else if (!wasWritable && verdict.writable()) {
            LOG.infof("local storage takes writes again");
        }
        last = verdict;
        running = null;
    }

    private Verdict probeNow() {
        for (Path dir : dirs) {
            try {
                write(dir);
            } catch (IOException | RuntimeException e) {
                String reason = LocalStorageFaults.of(e).map(Throwable::getMessage).orElse(String.valueOf(e.getMessage()));
                return new Verdict(false, dir + ": " + reason + " (" + e.getMessage() + ")", System.nanoTime());
            }
        }
        return new Verdict(true, null, System.nanoTime());
    }

    private static void write(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, PREFIX, SUFFIX);
        try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.allocate(PROBE_BYTES);
            while (bytes.hasRemaining()) {
                bytes.put((byte) 0xA5); // not zeros: some file systems store zero blocks without allocating them
            }
            bytes.flip();
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        } finally {
            Files.deleteIfExists(probe);
        }
    }
}
