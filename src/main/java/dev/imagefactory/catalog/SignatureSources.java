package dev.imagefactory.catalog;

import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ManifestDocument;
import dev.imagefactory.oci.OciLayout;
import dev.imagefactory.oci.RegistryClient;
import dev.imagefactory.signing.SignatureSource;
import java.io.IOException;
import java.util.Optional;

/** Where the release sources find an image's cosign signature: next to it, in its registry repository or its layout. */
final class SignatureSources {

    private SignatureSources() {
    }

    /** The signature tag in the image's registry repository. */
    static SignatureSource of(RegistryClient.Repository repository) {
        return new SignatureSource() {
            @Override
            public Optional<byte[]> manifest(String tag) throws IOException {
                return repository.client().manifest(repository.name(), tag).map(ManifestDocument::content);
            }

            @Override
            public byte[] blob(Descriptor descriptor) throws IOException {
                return repository.readDocument(descriptor);
            }
        };
    }

    /** The signature entry of the layout's {@code index.json} (as {@code skopeo copy} keeps a tag in a layout). */
    static SignatureSource of(OciLayout layout) {
        return new SignatureSource() {
            @Override
            public Optional<byte[]> manifest(String tag) throws IOException {
                return layout.signatureManifest(tag);
            }

            @Override
            public byte[] blob(Descriptor descriptor) throws IOException {
                return layout.readDocument(descriptor);
            }
        };
    }
}
