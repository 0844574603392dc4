package dev.imagefactory.ui;

import io.quarkus.qute.TemplateData;
import java.util.List;

/** What the wizard's templates show; plain data, built by {@link Wizard}. */
public final class ViewModels {

    private ViewModels() {
    }

    /** One choice of a radio group: its value, its label, a description, whether it is checked. */
    @TemplateData
    public record Choice(String value, String label, String description, boolean checked) {
    }

    /** Versions of one {@code major.minor} (or its pre-releases), newest first. */
    @TemplateData
    public record VersionGroup(String label, boolean preRelease, List<Choice> versions) {
    }

    /** One download of the final page. */
    @TemplateData
    public record Download(String label, String url, String checksumUrl, String path, CacheState cache) {

        public boolean buildable() {
            return cache == CacheState.NOT_CACHED;
        }
    }

    /** Whether a download is there already or built on its first request. */
    @TemplateData
    public enum CacheState {
        CACHED, NOT_CACHED, UNKNOWN;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** A labelled, copyable text: installer references and commands. */
    @TemplateData
    public record Copyable(String label, String text) {
    }
}
