package dev.imagefactory.catalog;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The setting {@code factory.extensions.extra.folder}: a folder inside every version directory of the directory
 * release source. Checked at start-up so a value that would leave the version directory stops the service.
 */
public final class ExtraExtensionsFolder {

    static final String SETTING = "factory.extensions.extra.folder";

    private ExtraExtensionsFolder() {
    }

    /** {@code folder} when it is a relative path that stays inside a version directory, else a message naming the setting. */
    public static String check(String folder) {
        Path path;
        try {
            path = Path.of(folder);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(SETTING + " \"" + folder + "\" is not a path: " + e.getReason(), e);
        }
        boolean inside = !folder.isBlank() && !path.isAbsolute()
                && path.normalize().equals(path) && !path.startsWith("..");
        if (!inside) {
            throw new IllegalArgumentException(SETTING + " \"" + folder + "\" must be a relative folder inside each"
                    + " version directory, such as extra-extensions");
        }
        return folder;
    }
}
