package dev.imagefactory.schematic;

import dev.imagefactory.model.SchematicId;

import java.nio.charset.StandardCharsets;

/** A parsed schematic together with its canonical YAML and the ID derived from it. */
public record CanonicalSchematic(SchematicId id, Schematic schematic, byte[] canonicalYaml) {

    public String canonicalText() {
        return new String(canonicalYaml, StandardCharsets.UTF_8);
    }
}
