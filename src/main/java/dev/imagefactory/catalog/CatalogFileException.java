package dev.imagefactory.catalog;

import java.nio.file.Path;

/** A catalog file in the repository is malformed; raised at startup so the service does not run with it. */
public class CatalogFileException extends IllegalStateException {
    public CatalogFileException(Path file, String problem, Throwable cause) {
        super("catalog file " + file + ": " + problem, cause);
    }

    public CatalogFileException(Path file, String problem) {
        this(file, problem, null);
    }
}
