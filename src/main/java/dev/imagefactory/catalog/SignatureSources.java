package dev.imagefactory.catalog;

import dev.imagefactory.oci.ManifestDocument;
import dev.imagefactory.oci.OciLayout;
import dev.imagefactory.oci.RegistryClient;
import dev.imagefactory.signing.SignatureSource;

/** Where the two release sources find an image's cosign signature: next to it, in its registry or its layout. */
final class SignatureSources {

    private SignatureSources() {
    }

    /** The signature tag in the image's registry repository. */
    static SignatureSource of(RegistryClient.Repository repository) {
        return new SignatureSource() {
            @Override
            public java.util.Optional<byte[]> manifest(String tag) throws java.io.IOException {
                return repository.client().manifest(repository.name(), tag).map(ManifestDocument::content);
            }

            @Override
            public byte[] blob(dev.imagefactory.oci.Descriptor descriptor) throws java.io.IOException {
                return repository.readDocument(descriptor);
            }
        };
    }

    /** The signature entry of the layout's {@code index.json} (as {@code cosign save} and {@code skopeo} keep tags). */
    static SignatureSource of(OciLayout layout) {
        return new SignatureSource() {
            @Override
            public java.util.Optional<byte[]> manifest(String tag) throws java.io.IOException {
                return layout.signatureManifest(tag);
            }

            @Override
            public byte[] blob(dev.imagefactory.oci.Descriptor descriptor) throws java.io.IOException {
                return layout.readDocument(descriptor);
            }
        };
    }
}
