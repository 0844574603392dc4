package dev.imagefactory.build.installer;

import java.nio.file.Path;
import java.util.Objects;

/** A file to put into an image layer: where it goes in the image (relative, no leading {@code /}) and its source. */
public record ImageFile(String imagePath, Path source) {

    public ImageFile {
        Objects.requireNonNull(imagePath, "imagePath");
        Objects.requireNonNull(source, "source");
        if (imagePath.isEmpty() || imagePath.startsWith("/") || imagePath.contains("..")) {
            throw new IllegalArgumentException("image path must be relative and plain: " + imagePath);
        }
    }
}
