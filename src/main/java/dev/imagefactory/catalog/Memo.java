package dev.imagefactory.catalog;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Remembers loaded values per key; concurrent requests for a key share one load (a singleflight), failures are not
 * remembered. Values that {@code shortLived} picks (e.g. "not there yet") are forgotten after {@code shortLifetime},
 * the rest for the process lifetime, as upstream does with release manifests.
 */
final class Memo<K, V> {

    private record Entry<V>(CompletableFuture<V> value, Instant expires) {
    }

    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final Predicate<V> shortLived;
    private final Duration shortLifetime;
    private final Clock clock;

    Memo(Predicate<V> shortLived, Duration shortLifetime, Clock clock) {
        this.shortLived = shortLived;
        this.shortLifetime = shortLifetime;
        this.clock = clock;
    }

    V get(K key, Supplier<V> loader) {
        while (true) {
            Entry<V> known = entries.get(key);
            if (known != null && (known.expires() == null || clock.instant().isBefore(known.expires()))) {
                return await(known.value());
            }
            Entry<V> mine = new Entry<>(new CompletableFuture<>(), null);
            boolean won = known == null ? entries.putIfAbsent(key, mine) == null : entries.replace(key, known, mine);
            if (!won) {
                continue;
            }
            try {
                V value = loader.get();
                if (shortLived.test(value)) {
                    entries.replace(key, mine, new Entry<>(mine.value(), clock.instant().plus(shortLifetime)));
                }
                mine.value().complete(value);
                return value;
            } catch (RuntimeException | Error e) {
                entries.remove(key, mine);
                mine.value().completeExceptionally(e);
                throw e;
            }
        }
    }

    private static <V> V await(CompletableFuture<V> value) {
        try {
            return value.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
