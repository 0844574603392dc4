package dev.imagefactory.catalog;

import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.ManifestDocument;
import dev.imagefactory.content.VerifyingInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * One of the release source's own images under upstream's name ({@code siderolabs/imager}, ...), read-only, for the
 * registry's source image proxy (reference v1.5, image-factory-reference.md §6.1): a directory release answers from
 * its OCI layouts ({@code <version>/<component>/}, the tag being the directory name), a registry release from the
 * configured registry, streamed. Nothing here writes.
 */
public interface SourceRepository {

    /** The repositories the proxy serves, as upstream names them below {@code siderolabs/}. */
    List<String> COMPONENTS = List.of("imager", "installer-base", "installer", "extensions", "overlays", "talosctl-all");

    /** The tags, sorted. */
    List<String> tags() throws IOException;

    /** The manifest or index a tag or digest names, with its media type and digest; empty when unknown. */
    Optional<ManifestDocument> manifest(String reference) throws IOException;

    /** A blob's size; empty when the repository does not have it. */
    Optional<Long> blobSize(Digest digest) throws IOException;

    /** A blob's bytes, checked against its digest and size as they are read. The caller closes it. */
    VerifyingInputStream openBlob(Digest digest, long size) throws IOException;
}
