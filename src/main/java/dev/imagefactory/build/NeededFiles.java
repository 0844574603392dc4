package dev.imagefactory.build;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The local files of the plans a running plan needs (leased for the duration of its {@link Step#execute}). */
public final class NeededFiles {

    private final Map<BuildPlan, Path> files;
    private final Map<BuildPlan, String> sha256s;

    NeededFiles(Map<BuildPlan, Path> files) {
        this(files, Map.of());
    }

    /** @param sha256s the SHA-256 (hex) of the needed artifacts whose digest is known already */
    NeededFiles(Map<BuildPlan, Path> files, Map<BuildPlan, String> sha256s) {
        this.files = Map.copyOf(files);
        this.sha256s = Map.copyOf(sha256s);
    }

    /**
     * The SHA-256 (hex) of {@code needed}'s file when the cache knows it already (not while an intermediate published
     * before its digest is still being hashed).
     */
    public Optional<String> knownSha256(BuildPlan needed) {
        file(needed); // refuses what is not a need
        return Optional.ofNullable(sha256s.get(needed));
    }

    /** The file of {@code needed}, one of the running plan's {@link BuildPlan#needs()}. */
    public Path file(BuildPlan needed) {
        Path file = files.get(needed);
        if (file == null) {
            throw new IllegalArgumentException(needed + " is not a need of this plan");
        }
        return file;
    }
}
