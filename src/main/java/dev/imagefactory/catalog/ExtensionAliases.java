package dev.imagefactory.catalog;

import java.util.Map;
import java.util.Optional;

/**
 * Old extension names still accepted in schematics, mapped to their current names ({@code aliases.yaml},
 * image-factory {@code ExtensionNameAlias}). Consulted only when the requested name itself is not available.
 */
public record ExtensionAliases(Map<String, String> oldToNew) {

    public ExtensionAliases {
        oldToNew = Map.copyOf(oldToNew);
    }

    public static ExtensionAliases none() {
        return new ExtensionAliases(Map.of());
    }

    public Optional<String> currentName(String oldName) {
        return Optional.ofNullable(oldToNew.get(oldName));
    }
}
