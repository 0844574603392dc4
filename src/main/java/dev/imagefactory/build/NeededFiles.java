package dev.imagefactory.build;

import java.nio.file.Path;
import java.util.Map;

/** The local files of the plans a running plan needs (leased for the duration of its {@link Step#execute}). */
public final class NeededFiles {

    private final Map<BuildPlan, Path> files;

    NeededFiles(Map<BuildPlan, Path> files) {
        this.files = Map.copyOf(files);
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
