package dev.imagefactory.catalog;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A tagged image reference such as {@code ghcr.io/siderolabs/gvisor:20250707.0}, read the way go-containerregistry's
 * {@code name.NewTag} reads it, because upstream derives the extension identity ({@code siderolabs/gvisor}) and the
 * printed {@code ref} from that parse: no registry means Docker Hub ({@code index.docker.io}, {@code library/}
 * for one-part names), no tag means {@code latest}.
 */
public record ImageRef(String registry, String repository, String tag) {

    private static final String DOCKER_HUB = "index.docker.io";
    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]+)?");
    private static final Pattern REPOSITORY = Pattern.compile(
            "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    /** Parses a reference; the message names what is wrong, for the caller to prefix with where it was found. */
    public static ImageRef parse(String text) {
        return tryParse(text).orElseThrow(() -> new IllegalArgumentException("invalid tagged image reference \"" + text + "\""));
    }

    public static Optional<ImageRef> tryParse(String text) {
        if (text == null || text.isEmpty() || text.contains("@")) {
            return Optional.empty(); // digests travel separately
        }
        String name = text;
        String tag = "latest";
        int colon = text.lastIndexOf(':');
        if (colon > text.lastIndexOf('/')) {
            name = text.substring(0, colon);
            tag = text.substring(colon + 1);
        }
        String registry = DOCKER_HUB;
        String repository = name;
        int slash = name.indexOf('/');
        if (slash > 0) {
            String first = name.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first.equals("docker.io") ? DOCKER_HUB : first;
                repository = name.substring(slash + 1);
            }
        }
        if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
            repository = "library/" + repository;
        }
        if (!REGISTRY.matcher(registry).matches() || !REPOSITORY.matcher(repository).matches()
                || !TAG.matcher(tag).matches()) {
            return Optional.empty();
        }
        return Optional.of(new ImageRef(registry, repository, tag));
    }

    /** {@code registry/repository:tag}, the form upstream prints as {@code ref}. */
    @Override
    public String toString() {
        return registry + "/" + repository + ":" + tag;
    }
}
