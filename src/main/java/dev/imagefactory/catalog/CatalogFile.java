package dev.imagefactory.catalog;

import java.nio.file.Path;
import java.util.List;

/** One loaded catalog file: the versions it covers and its entries, in file order. */
public record CatalogFile<T>(Path file, VersionRange talos, List<T> entries) {

    public CatalogFile {
        entries = List.copyOf(entries);
    }
}
