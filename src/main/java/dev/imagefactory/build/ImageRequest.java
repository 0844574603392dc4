package dev.imagefactory.build;

import java.util.Objects;
import java.util.Optional;

/**
 * A request for one boot asset, whichever front end it came through ({@code /image}, {@code /pxe}, the registry's
 * per-architecture installers), in no transport's terms.
 *
 * @param schematicId the schematic ID as the client wrote it (checked by {@link ImageResolver#resolve})
 * @param version     the Talos version as the client wrote it ({@code v} optional)
 * @param asset       the asset, parsed once at the edge; its {@link AssetPath#sidecar()} asks for a checksum instead
 * @param filename    the download name to use instead of the asset's own (empty: the asset's)
 * @param mayRedirect whether the caller can follow a redirect to the storage (a presigned URL), when the storage
 *                    can give one
 */
public record ImageRequest(String schematicId, String version, AssetPath asset, Optional<String> filename,
        boolean mayRedirect) {

    public ImageRequest {
        Objects.requireNonNull(schematicId, "schematicId");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(asset, "asset");
        filename = filename.filter(name -> !name.isEmpty());
    }

    /** The asset under its own name, served through the caller (no redirect). */
    public static ImageRequest of(String schematicId, String version, AssetPath asset) {
        return new ImageRequest(schematicId, version, asset, Optional.empty(), false);
    }

    /** This request with a download name ({@code ?filename=}); null or empty keeps the asset's own. */
    public ImageRequest withFilename(String name) {
        return new ImageRequest(schematicId, version, asset, Optional.ofNullable(name), mayRedirect);
    }

    /** This request, allowed (or not) to be answered with a redirect. */
    public ImageRequest redirectable(boolean allowed) {
        return new ImageRequest(schematicId, version, asset, filename, allowed);
    }

    /** The name the download is saved under: {@link #filename()} if given, else the asset's file name. */
    public String downloadName() {
        return filename.orElse(asset.filename());
    }
}
