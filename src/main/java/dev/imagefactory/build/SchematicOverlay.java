package dev.imagefactory.build;

import dev.imagefactory.catalog.Catalog;
import dev.imagefactory.catalog.OfficialOverlay;
import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.model.Arch;
import dev.imagefactory.model.Profile;
import dev.imagefactory.schematic.Schematic;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * The schematic's overlay image, flattened for one architecture (talos-imager.md §1.7): matched by name against the
 * version's {@code overlays.yaml} (400 when it is not there), pulled by the digest that file pins. The target
 * architecture's copy goes into installer images and gives the profile fragment; the build host's copy is the one
 * whose installer runs, and whose artifacts go into disk images.
 */
@Singleton
class SchematicOverlay {

    private final Catalog catalog;
    private final ReleaseSource releases;

    @Inject
    SchematicOverlay(Catalog catalog, ReleaseSource releases) {
        this.catalog = catalog;
        this.releases = releases;
    }

    /** Empty when the schematic names no overlay. */
    Optional<OverlayImage> image(BuildRequest request, Arch arch) {
        Schematic.Overlay overlay = request.schematic().schematic().overlay();
        if (overlay == null || overlay.name() == null || overlay.name().isEmpty()) {
            return Optional.empty();
        }
        Profile profile = request.profile();
        OfficialOverlay official = catalog.overlays(profile.version()).stream()
                .filter(o -> o.name().equals(overlay.name()))
                .findFirst()
                .orElseThrow(() -> new InvalidInputException("official overlay \"" + overlay.name()
                        + "\" is not available for Talos version " + profile.version()));
        return Optional.of(releases.overlayImage(profile.version(), official, arch));
    }
}
