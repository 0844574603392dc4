package dev.imagefactory.oci;

import dev.imagefactory.content.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Where an image's blobs come from: an OCI layout on disk or a registry repository. */
public interface BlobSource {

    /** Manifests, indexes and configs are small JSON documents; anything larger is refused as malformed. */
    int MAX_DOCUMENT_SIZE = 4 << 20;

    /** The blob's content, verified against {@code descriptor} as it is read (see {@link VerifyingInputStream}). */
    VerifyingInputStream open(Descriptor descriptor) throws IOException;

    /**
     * {@code in} checked against {@code descriptor} as it is read; a mismatch is a {@link DigestMismatchException}
     * naming {@code where}.
     */
    static VerifyingInputStream verifying(InputStream in, Descriptor descriptor, String where) {
        return new VerifyingInputStream(in, descriptor.size(), descriptor.digest(), where,
                DigestMismatchException::new);
    }

    /** A verified small JSON document (manifest, index or config) named by {@code descriptor}. */
    default byte[] readDocument(Descriptor descriptor) throws IOException {
        if (descriptor.size() > MAX_DOCUMENT_SIZE) {
            throw new OciException(descriptor.digest() + ": " + descriptor.size() + " bytes is too large for a "
                    + descriptor.mediaType() + " document");
        }
        try (VerifyingInputStream in = open(descriptor)) {
            byte[] content = in.readAllBytes();
            in.verifyToEnd();
            return content;
        }
    }
}
