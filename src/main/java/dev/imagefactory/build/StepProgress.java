package dev.imagefactory.build;

import java.nio.file.Files;
import java.nio.file.Path;

/** What a running step tells about its parts: each part's start and end, with how many bytes it wrote. */
public interface StepProgress {

    StepProgress NONE = new StepProgress() {
        @Override
        public void stepStarted(String step) {
        }

        @Override
        public void stepEnded(String step, long bytesWritten) {
        }
    };

    void stepStarted(String step);

    void stepEnded(String step, long bytesWritten);

    /**
     * How far a running step is, where it can know it (e.g. a compressor has read {@code done} of {@code total}
     * bytes); may be called often, the listener keeps what it needs.
     */
    default void stepAdvanced(String step, long done, long total) {
    }

    /** A part that produces one file: reported with the file's size. */
    default Path step(String step, PartAction action) throws Exception {
        stepStarted(step);
        Path out = action.run();
        stepEnded(step, Files.size(out));
        return out;
    }

    @FunctionalInterface
    interface PartAction {
        Path run() throws Exception;
    }
}
