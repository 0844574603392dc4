package dev.imagefactory.catalog;

import dev.imagefactory.model.Arch;
import dev.imagefactory.model.TalosVersion;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where Talos releases come from: a local directory ({@link DirectoryReleaseSource}) or an OCI registry
 * ({@link OciReleaseSource}: {@code siderolabs/imager} tags, {@code siderolabs/extensions:<v>},
 * {@code siderolabs/overlays:<v>}). Methods return parsed data so both
 * implementations share {@link ExtensionManifestParser} and {@link OverlayManifestParser} and callers never see
 * paths. Malformed release data raises {@link ReleaseDataException}.
 */
public interface ReleaseSource {

    /** Every version the source has, unfiltered (the §8.4 filter is {@link VersionFilter}'s job). */
    Set<TalosVersion> versions();

    /**
     * The release's extension manifest ({@code image-digests} with {@code descriptions.yaml}), in its line order;
     * empty when the release ships none.
     */
    Optional<List<OfficialExtension>> extensions(TalosVersion version);

    /**
     * The extra (custom) extensions manifest of {@code version} ({@code factory.extensions.extra.*}, reference
     * {@code enterprise.extraExtensions.manifest}), in the official one's format and line order; empty when none is
     * configured or none is published for this version. Its images come from {@link #extensionImage} like any other.
     */
    default Optional<List<OfficialExtension>> extraExtensions(TalosVersion version) {
        return Optional.empty();
    }

    /** The release's {@code overlays.yaml}, in its order; empty when the release ships none. */
    Optional<List<OfficialOverlay>> overlays(TalosVersion version);

    /**
     * The directory holding the release's talosctl binaries ({@code talosctl-<os>-<arch>[.exe]}, see
     * {@link TalosctlFiles}); empty when the release ships none. Read-only: callers only list and stream it.
     */
    default Optional<java.nio.file.Path> talosctl(TalosVersion version) {
        return Optional.empty();
    }

    /**
     * The source's own image repository {@code siderolabs/<component>} ({@link SourceRepository#COMPONENTS}), for the
     * read-only source image proxy; empty when this source keeps no such images.
     */
    default Optional<SourceRepository> sourceRepository(String component) {
        return Optional.empty();
    }

    /** A boot file of the release for {@code arch}; empty when the release does not provide it. */
    Optional<ReleaseFile> bootFile(TalosVersion version, Arch arch, BootFile file);

    /**
     * The image of an official extension listed for {@code version}, flattened for {@code arch}.
     *
     * @throws ReleaseDataException when the release lists the extension but its image cannot be obtained
     */
    ExtensionImage extensionImage(TalosVersion version, OfficialExtension extension, Arch arch);

    /**
     * The image of an official overlay listed for {@code version}, flattened for {@code arch} (talos-imager.md §1.7).
     *
     * @throws ReleaseDataException when the release lists the overlay but its image cannot be obtained or is not an
     *         overlay image
     * @throws dev.imagefactory.errors.InvalidInputException when the image has no installer for the overlay's name
     *         (400, issue 15)
     */
    OverlayImage overlayImage(TalosVersion version, OfficialOverlay overlay, Arch arch);

    /**
     * The base installer image of {@code version} for {@code arch}; empty when the release has none for that arch.
     * Its blobs are verified against their digests before this returns.
     *
     * @throws ReleaseDataException when the release has the image but it is malformed or a blob is corrupted
     */
    Optional<BaseImage> installerBase(TalosVersion version, Arch arch, InstallerBaseKind kind);
}
