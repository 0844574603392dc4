package dev.imagefactory.cache.s3;

import dev.imagefactory.cache.BuildClaim;
import dev.imagefactory.errors.BuildTimeoutException;
import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.errors.StorageUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One build per artifact across replicas: before building, a replica creates the lease object
 * {@code leases/<key>} with a conditional write ({@code If-None-Match: *}). The winner builds and renews the lease
 * every third of {@code factory.cache.s3.lease-ttl}; the others poll (with backoff) until the artifact appears in the
 * bucket. A lease not renewed in time (its replica died) is taken over with {@code If-Match} on its ETag; so is one
 * left by this same replica (a build that ended without releasing it, e.g. during an S3 outage).
 *
 * <p>The lease body is {@code <replica> <token> <expiry epoch ms>}. After a successful conditional write the winner
 * waits {@link #SETTLE} and reads its lease back before building: S3 and MinIO decide conditional writes atomically,
 * but some S3-compatible servers (S3Proxy, the tests' server) check and write in two steps, so two writers can both
 * "win"; the later write is then the one that stays, and only its writer sees its own token on reading back.
 * Expiry compares the holder's clock with the reader's: replicas need roughly synchronised clocks (NTP), with
 * skew well below the TTL.
 */
public class S3BuildLeases implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(S3BuildLeases.class);
    static final String PREFIX = "leases/";
    static final Duration SETTLE = Duration.ofMillis(250);
    private static final Duration FIRST_POLL = Duration.ofMillis(100);
    private static final Duration MAX_POLL = Duration.ofSeconds(2);

    private final S3Bucket bucket;
    private final Duration ttl;
    private final String replica;
    /** Lease names that a thread of this process is claiming or holding. */
    private final Set<String> localClaims = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "s3-lease-renewal");
        t.setDaemon(true);
        return t;
    });

    public S3BuildLeases(S3Bucket bucket, Duration ttl, String replica) {
        this.bucket = bucket;
        this.ttl = ttl;
        this.replica = replica.replace(' ', '_');
    }

    /** A replica name that is unique per process: host name plus a random suffix. */
    public static String newReplicaName() {
        String host = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("replica");
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * The right to build {@code key}, or the artifact once another replica published it ({@code published} looks it
     * up in the bucket).
     *
     * @throws BuildTimeoutException when another live replica held the lease for longer than {@code maxWait}
     * @throws StorageUnavailableException when S3 fails
     */
    public BuildClaim claim(CacheKey key, Duration maxWait, Supplier<Optional<CachedArtifact>> published) {
        String name = PREFIX + key.hex();
        long deadline = System.nanoTime() + maxWait.toNanos();
        Duration pause = FIRST_POLL;
        String waitingFor = null;
        while (true) {
            Optional<CachedArtifact> done = published.get();
            if (done.isPresent()) {
                return BuildClaim.published(done.get());
            }
            // One claimer per key in this process at a time: another thread of it holding or claiming the lease is
            // building the key right now (in service, single flight makes this rare; it matters for direct callers).
            if (localClaims.add(name)) {
                boolean kept = false;
                try {
                    Lease mine = new Lease(replica, UUID.randomUUID().toString(),
                            System.currentTimeMillis() + ttl.toMillis());
                    Optional<S3Bucket.Stored> current = bucket.read(name);
                    boolean written;
                    if (current.isEmpty()) {
                        written = bucket.create(name, mine.bytes());
                    } else {
                        Lease other = Lease.parse(current.get().bytes());
                        // This replica's own lease is left over from a claim that ended without releasing it (S3
                        // was down): no thread of this process holds it, so it is taken over at once.
                        boolean takeOver = other == null || other.expiresAt() < System.currentTimeMillis()
                                || other.replica().equals(replica);
                        written = takeOver && bucket.replace(name, mine.bytes(), current.get().etag());
                        if (takeOver && written && other != null && !other.replica().equals(replica)) {
                            LOG.warnf("took over the build lease of %s from replica %s, which let it expire", key,
                                    other.replica());
                        }
                        if (!written && other != null) {
                            waitingFor = other.replica();
                        }
                    }
                    if (written && confirmed(name, mine)) {
                        Held held = new Held(name, mine);
                        kept = true;
                        // The previous holder may have published and released between our first look and our write.
                        Optional<CachedArtifact> meanwhile = published.get();
                        if (meanwhile.isPresent()) {
                            held.close();
                            return BuildClaim.published(meanwhile.get());
                        }
                        return held;
                    }
                } finally {
                    if (!kept) {
                        localClaims.remove(name);
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new BuildTimeoutException("waited " + maxWait.toSeconds() + "s for replica " + waitingFor
                        + " to build " + key.hex().substring(0, 12) + "; it still holds the build lease");
            }
            sleep(pause);
            pause = pause.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : pause.multipliedBy(2);
        }
    }

    private boolean confirmed(String name, Lease mine) {
        sleep(SETTLE);
        return bucket.read(name).map(s -> mine.equals(Lease.parse(s.bytes()))).orElse(false);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.imagefactory.errors.ArtifactBuildException("interrupted while waiting for a build lease");
        }
    }

    @Override
    public void close() {
        renewals.shutdownNow();
    }

    /** The lease this replica holds: renewed in the background until closed, then deleted. */
    private final class Held implements BuildClaim {
        private final String name;
        private volatile Lease lease;
        private final ScheduledFuture<?> renewal;

        Held(String name, Lease lease) {
            this.name = name;
            this.lease = lease;
            long every = Math.max(1, ttl.toMillis() / 3);
            this.renewal = renewals.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
        }

        private void renew() {
            try {
                Lease next = new Lease(lease.replica(), lease.token(), System.currentTimeMillis() + ttl.toMillis());
                Optional<S3Bucket.Stored> current = bucket.read(name);
                if (current.isEmpty() || !lease.equals(Lease.parse(current.get().bytes()))
                        || !bucket.replace(name, next.bytes(), current.get().etag())) {
                    LOG.warnf("lost the build lease %s; another replica may build the same artifact", name);
                    throw new IllegalStateException("lease lost"); // stops the renewals
                }
                lease = next;
            } catch (StorageUnavailableException e) {
                LOG.warnf("could not renew build lease %s: %s", name, e.getMessage());
            }
        }

        @Override
        public Optional<CachedArtifact> publishedElsewhere() {
            return Optional.empty();
        }

        @Override
        public void close() {
            renewal.cancel(false);
            localClaims.remove(name);
            try {
                Optional<S3Bucket.Stored> current = bucket.read(name);
                if (current.isPresent() && lease.equals(Lease.parse(current.get().bytes()))) {
                    bucket.delete(name);
                }
            } catch (RuntimeException e) {
                LOG.warnf("could not release build lease %s (it expires by itself): %s", name, e.getMessage());
            }
        }
    }

    /** The lease object's content. */
    record Lease(String replica, String token, long expiresAt) {

        byte[] bytes() {
            return (replica + " " + token + " " + expiresAt + "\n").getBytes(StandardCharsets.UTF_8);
        }

        /** Null when the content is not a lease (then it is treated as expired). */
        static Lease parse(byte[] bytes) {
            String[] parts = new String(bytes, StandardCharsets.UTF_8).trim().split(" ");
            if (parts.length != 3) {
                return null;
            }
            try {
                return new Lease(parts[0], parts[1], Long.parseLong(parts[2]));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
