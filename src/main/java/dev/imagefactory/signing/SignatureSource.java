package dev.imagefactory.signing;

import dev.imagefactory.oci.Descriptor;
import java.io.IOException;
import java.util.Optional;

/**
 * Where an image's cosign signature is looked up: the repository it was pulled from (a registry's tag, or an OCI
 * layout's {@code index.json} entry named by {@code org.opencontainers.image.ref.name}).
 */
public interface SignatureSource {

    /** The bytes of the manifest tagged {@code tag} (e.g. {@code sha256-<hex>.sig}); empty when there is none. */
    Optional<byte[]> manifest(String tag) throws IOException;

    /** A small blob of that repository, checked against {@code descriptor}. */
    byte[] blob(Descriptor descriptor) throws IOException;
}
