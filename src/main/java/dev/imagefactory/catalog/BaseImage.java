package dev.imagefactory.catalog;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A base installer image for one architecture: the raw config JSON blob (a local file whose sha256 is
 * {@code configDigest}, written {@code sha256:<hex>}), the layers in manifest order, and the reference it was taken
 * from for docker-save RepoTags ({@code siderolabs/installer-base:v1.11.0-debian.1}: image name without registry
 * host, then ":" + tag). Callers must not modify the files.
 */
public record BaseImage(String reference, Path config, String configDigest, List<BaseLayer> layers) {
    public BaseImage {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(configDigest, "configDigest");
        layers = List.copyOf(layers);
    }
}
