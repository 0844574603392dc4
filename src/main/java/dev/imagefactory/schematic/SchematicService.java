package dev.imagefactory.schematic;

import dev.imagefactory.model.SchematicId;

import dev.imagefactory.errors.NotFoundException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Creates and looks up schematics: parse strictly, canonicalize, store by ID. */
@ApplicationScoped
public class SchematicService {

    /**
     * IDs this process has stored or found stored, so that creating a known schematic again does no storage I/O at
     * all (like the reference's in-memory cache, whose positive entries never expire). Bounded: past this many, new
     * IDs are still stored, just not remembered.
     */
    static final int MAX_REMEMBERED = 100_000;

    private final SchematicStore store;
    private final Set<SchematicId> stored = ConcurrentHashMap.newKeySet();
    private final Counter created;
    private final Counter duplicates;
    private final Counter lookups;

    @Inject
    public SchematicService(SchematicStore store, MeterRegistry registry) {
        this.store = store;
        this.created = Counter.builder("image_factory_schematic_create")
                .description("Schematics created through the API (new or already known)").register(registry);
        this.duplicates = Counter.builder("image_factory_schematic_duplicate_create")
                .description("Schematic creations that matched an existing schematic").register(registry);
        this.lookups = Counter.builder("image_factory_schematic_get")
                .description("Schematic lookups by ID").register(registry);
    }

    /** Parses and stores a schematic; creating an existing one again is idempotent. */
    public CanonicalSchematic create(byte[] body) {
        CanonicalSchematic schematic = parse(body);
        if (!createIfKnown(schematic)) {
            store(schematic);
        }
        return schematic;
    }

    /** Parses and checks a request body: CPU only, no I/O (400 for what the reference or our limits refuse). */
    public CanonicalSchematic parse(byte[] body) {
        CanonicalSchematic schematic = SchematicCodec.parse(body);
        KernelArgsCheck.requireWritable(schematic);
        return schematic;
    }

    /**
     * Completes the creation of a schematic this process knows to be stored already, without I/O (so it may run on
     * an event loop); false when it must be {@linkplain #store stored}.
     */
    public boolean createIfKnown(CanonicalSchematic schematic) {
        if (!stored.contains(schematic.id())) {
            return false;
        }
        created.increment();
        duplicates.increment();
        return true;
    }

    /** Stores a parsed schematic (blocking I/O); storing an existing one again is idempotent. */
    public void store(CanonicalSchematic schematic) {
        boolean isNew = store.put(schematic.id(), schematic.canonicalYaml());
        remember(schematic.id());
        created.increment();
        if (!isNew) {
            duplicates.increment();
        }
    }

    private void remember(SchematicId id) {
        if (stored.size() < MAX_REMEMBERED) {
            stored.add(id);
        }
    }

    /** The canonical YAML of a stored schematic; 404 {@code schematic ID "<id>" not found}, the reference's text. */
    public byte[] canonicalYaml(SchematicId id) {
        lookups.increment();
        Optional<byte[]> yaml = store.get(id);
        if (yaml.isEmpty()) {
            // e.g. damaged and set aside by the store: a new creation must write it again
            stored.remove(id);
            throw notFound(id.value());
        }
        return yaml.get();
    }

    /**
     * The parsed form of the schematic the client named. As in the reference, a text that is no schematic ID is not
     * found either (404 {@code schematic ID "aaaaaaaaaaaa" not found}), rather than refused as malformed.
     */
    public CanonicalSchematic get(String clientId) {
        return get(SchematicId.tryParse(clientId).orElseThrow(() -> notFound(clientId)));
    }

    private static NotFoundException notFound(String clientId) {
        return new NotFoundException("schematic ID " + SchematicId.quote(clientId) + " not found");
    }

    /** The parsed form of a stored schematic, for builds. */
    public CanonicalSchematic get(SchematicId id) {
        return SchematicCodec.parseStored(canonicalYaml(id));
    }
}
