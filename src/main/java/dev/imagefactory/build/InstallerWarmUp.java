package dev.imagefactory.build;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Warms the registry's installer image of a schematic and version (every architecture, and the index over them),
 * as a pull would build it; implemented by the registry front end. Checks throw what a pull would answer with.
 */
public interface InstallerWarmUp {

    /** Whether {@code image} names an installer image the registry serves ({@code installer}, {@code metal-installer}, …). */
    boolean names(String image);

    /** The per-architecture {@code /image} assets the image is made of (the builds it waits for). */
    List<AssetPath> parts(String image, String schematic, String version);

    /** Starts (or joins) the image's builds; the future completes when the image is stored (nothing stays held). */
    CompletableFuture<Void> warm(String image, String schematic, String version);
}
