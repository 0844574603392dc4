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

    /** The canonical YAML of a stored schematic; 404 {@code schematic ID "<id>" not found}, the reference's text. */
    public byte[] canonicalYaml(SchematicId id) {
        lookups.increment();
        return store.get(id).orElseThrow(() -> notFound(id.value()));
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
