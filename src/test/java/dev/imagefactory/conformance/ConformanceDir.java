package dev.imagefactory.conformance;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the public conformance vectors are read from: {@code ../shared/conformance} next to the repository when it is
 * there (the project's shared folder, which may hold more vectors than our copy), otherwise the copy kept in
 * {@code src/test/resources/conformance}, so a clone anywhere runs the same checks.
 */
public final class ConformanceDir {

    private static final Path SHARED = Path.of("..", "shared", "conformance");
    private static final Path VENDORED = Path.of("src", "test", "resources", "conformance");

    private ConformanceDir() {
    }

    /** The folder holding {@code relative}: the shared one when it has it, else the vendored copy. */
    public static Path resolve(String relative) {
        Path shared = SHARED.resolve(relative);
        Path chosen = Files.exists(shared) ? shared : VENDORED.resolve(relative);
        if (!Files.exists(chosen)) {
            throw new IllegalStateException("conformance vectors not found at " + shared.toAbsolutePath() + " nor "
                    + VENDORED.resolve(relative).toAbsolutePath());
        }
        return chosen;
    }
}
