package dev.imagefactory.catalog;

import java.nio.file.Path;
import java.util.List;

/**
 * A base installer image for one architecture: the raw config JSON blob (a local file whose sha256 is
 * {@code configDigest}), the layers in manifest order, and the reference it was taken from, for docker-save
 * {@code RepoTags} ({@code siderolabs/installer-base:v1.11.0} style: no registry host).
 */
public record BaseImage(String reference, Path config, String configDigest, List<BaseLayer> layers) {

    public BaseImage {
        layers = List.copyOf(layers);
    }
}
