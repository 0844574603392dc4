package dev.imagefactory.catalog;

import dev.imagefactory.content.SingleFlight;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Remembers loaded values per key; concurrent requests for a key share one load (a singleflight), failures are not
 * remembered. Values that {@code shortLived} picks (e.g. "not there yet") are forgotten after {@code shortLifetime},
 * the rest for the process lifetime, as upstream does with release manifests.
 */
final class Memo<K, V> {

    /** A loaded value, remembered until {@code expires} (null: for good). */
    private record Entry<V>(V value, Instant expires) {
    }

    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final SingleFlight<K, V> loads = new SingleFlight<>();
    private final Predicate<V> shortLived;
    private final Duration shortLifetime;
    private final Clock clock;

    Memo(Predicate<V> shortLived, Duration shortLifetime, Clock clock) {
        this.shortLived = shortLived;
        this.shortLifetime = shortLifetime;
        this.clock = clock;
    }

    V get(K key, Supplier<V> loader) {
        Entry<V> known = fresh(key);
        if (known != null) {
            return known.value();
        }
        return loads.runHere(key, () -> {
            Entry<V> loadedMeanwhile = fresh(key); // by a flight that ended between our look and ours
            if (loadedMeanwhile != null) {
                return loadedMeanwhile.value();
            }
            V value = loader.get();
            // remembered before the flight ends, so nobody after it loads again
            entries.put(key, new Entry<>(value, shortLived.test(value) ? clock.instant().plus(shortLifetime) : null));
            return value;
        });
    }

    private Entry<V> fresh(K key) {
        Entry<V> known = entries.get(key);
        return known != null && (known.expires() == null || clock.instant().isBefore(known.expires())) ? known : null;
    }
}
