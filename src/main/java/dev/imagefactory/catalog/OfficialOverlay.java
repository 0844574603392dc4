package dev.imagefactory.catalog;

import java.util.Objects;

/**
 * One official overlay of a Talos version: a board name ({@code rpi_generic}) and the image that implements it
 * ({@code ghcr.io/siderolabs/sbc-raspberrypi:v0.1.5}); several names share one image. Unknown digest is empty.
 */
public record OfficialOverlay(String name, ImageRef ref, String digest) {

    public OfficialOverlay {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ref, "ref");
        digest = Objects.requireNonNullElse(digest, "");
    }

    /** Repository path of the overlay image, e.g. {@code siderolabs/sbc-raspberrypi}. */
    public String image() {
        return ref.repository();
    }
}
