package dev.imagefactory.catalog;

import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.model.Arch;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageSource;
import dev.imagefactory.oci.LayerFlattener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** Flattens overlay images into the release cache and checks their shape, for both release sources. */
final class OverlayImages {

    static final String CACHE_KIND = "overlays";

    private OverlayImages() {
    }

    /** Flattens {@code layers} into a new cache entry, refusing images that are not overlays. */
    static void flattenInto(Path dir, ImageSource source, List<Descriptor> layers, String where) throws IOException {
        LayerFlattener.everything().flatten(source, layers, dir);
        if (!Files.isDirectory(dir.resolve("installers"), LinkOption.NOFOLLOW_LINKS)) {
            throw new ReleaseDataException(where + " is not an overlay image: it has no installers/ directory");
        }
    }

    /**
     * The flattened image's installer for the overlay's name, which must be a regular file. Its absence is answered
     * 400 (issue 15: the request names an overlay that cannot be installed), naming the image and what is missing but
     * no local path.
     */
    static OverlayImage checked(OverlayImage image, OfficialOverlay overlay, Arch arch) {
        if (!Files.isRegularFile(image.installer(), LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException("overlay \"" + overlay.name() + "\": its image " + overlay.ref() + " ("
                    + arch.goName() + ") has no installer for overlay \"" + image.name() + "\" (installers/"
                    + image.installer().getFileName() + ")");
        }
        return image;
    }
}
