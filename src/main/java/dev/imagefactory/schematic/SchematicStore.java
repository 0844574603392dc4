package dev.imagefactory.schematic;

import dev.imagefactory.model.SchematicId;

import java.util.Optional;

/**
 * Where schematics live. Content-addressed: the key is the SHA-256 of the value, so writes are idempotent and
 * any replica may write the same schematic. Implementations: {@link FileSchematicStore} (embedded default);
 * an S3 one shares schematics between replicas.
 */
public interface SchematicStore {

    /** Stores the canonical YAML under its ID; returns false when it was already present. */
    boolean put(SchematicId id, byte[] canonicalYaml);

    /** The canonical YAML, or empty when no schematic has this ID. */
    Optional<byte[]> get(SchematicId id);
}
