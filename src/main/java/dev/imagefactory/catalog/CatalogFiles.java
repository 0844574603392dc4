package dev.imagefactory.catalog;

import dev.imagefactory.model.TalosVersion;

import java.util.List;

/** The repository's catalogs: extension and overlay files by version range, plus the extension alias table. */
public record CatalogFiles(
        List<CatalogFile<OfficialExtension>> extensionFiles,
        List<CatalogFile<OfficialOverlay>> overlayFiles,
        ExtensionAliases aliases) {

    public CatalogFiles {
        extensionFiles = List.copyOf(extensionFiles);
        overlayFiles = List.copyOf(overlayFiles);
    }

    public static CatalogFiles empty() {
        return new CatalogFiles(List.of(), List.of(), ExtensionAliases.none());
    }

    /** Entries of the file covering {@code version} (ranges never overlap), else none. */
    public List<OfficialExtension> extensionsFor(TalosVersion version) {
        return entriesFor(extensionFiles, version);
    }

    public List<OfficialOverlay> overlaysFor(TalosVersion version) {
        return entriesFor(overlayFiles, version);
    }

    private static <T> List<T> entriesFor(List<CatalogFile<T>> files, TalosVersion version) {
        return files.stream().filter(f -> f.talos().contains(version)).findFirst()
                .map(CatalogFile::entries).orElse(List.of());
    }
}
