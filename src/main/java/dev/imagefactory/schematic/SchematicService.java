package dev.imagefactory.schematic;

import dev.imagefactory.model.SchematicId;

import dev.imagefactory.errors.NotFoundException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Creates and looks up schematics: parse strictly, canonicalize, store by ID. */
@ApplicationScoped
public class SchematicService {

    private final SchematicStore store;
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
        CanonicalSchematic schematic = SchematicCodec.parse(body);
        KernelArgsCheck.requireWritable(schematic);
        boolean isNew = store.put(schematic.id(), schematic.canonicalYaml());
        created.increment();
        if (!isNew) {
            duplicates.increment();
        }
        return schematic;
    }

    /** The canonical YAML of a stored schematic. */
    public byte[] canonicalYaml(SchematicId id) {
        lookups.increment();
        return store.get(id).orElseThrow(() -> new NotFoundException("schematic ID \"" + id + "\" not found"));
    }

    /** The parsed form of a stored schematic, for builds. */
    public CanonicalSchematic get(SchematicId id) {
        return SchematicCodec.parseStored(canonicalYaml(id));
    }
}
