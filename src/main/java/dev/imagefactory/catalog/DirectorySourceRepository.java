package dev.imagefactory.catalog;

import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.BlobSource;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ManifestDocument;
import dev.imagefactory.oci.OciException;
import dev.imagefactory.oci.OciJson;
import dev.imagefactory.oci.OciLayout;
import dev.imagefactory.content.VerifyingInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A component's OCI layouts in a directory release ({@code <release>/<version>/<component>/}), as one repository:
 * each layout's {@code index.json} root is the image tagged with its version directory's name; manifests and blobs
 * by digest come from whichever layout holds them; a layout's cosign signature entries answer as their
 * {@code sha256-<hex>.sig} tags. Every document is checked against its digest before it is served.
 */
final class DirectorySourceRepository implements SourceRepository {

    private final String component;
    private final Supplier<Map<String, Path>> releaseDirectories;

    /** {@code releaseDirectories}: tag (directory name) → release directory, read on every call. */
    DirectorySourceRepository(String component, Supplier<Map<String, Path>> releaseDirectories) {
        this.component = component;
        this.releaseDirectories = releaseDirectories;
    }

    @Override
    public List<String> tags() {
        return layouts().keySet().stream().sorted().toList();
    }

    @Override
    public Optional<ManifestDocument> manifest(String reference) throws IOException {
        if (reference.contains(":")) {
            Digest digest = Digest.parse(reference);
            for (Path layout : layouts().values()) {
                Optional<ManifestDocument> found = document(layout, digest);
                if (found.isPresent()) {
                    return found;
                }
            }
            return Optional.empty();
        }
        if (reference.endsWith(".sig")) {
            return signature(reference);
        }
        Path layout = layouts().get(reference);
        if (layout == null) {
            return Optional.empty();
        }
        List<Descriptor> roots = OciLayout.open(layout).index().manifests();
        if (roots.size() != 1) {
            throw new OciException(layout.resolve(OciLayout.INDEX) + " names " + roots.size()
                    + " images; a release layout names exactly one");
        }
        return document(layout, roots.get(0).digest());
    }

    /** A cosign signature tag ({@code sha256-<hex>.sig}) of any of the layouts, as the build script writes them. */
    private Optional<ManifestDocument> signature(String tag) throws IOException {
        for (Path layout : layouts().values()) {
            OciLayout open = OciLayout.open(layout);
            for (Descriptor entry : open.signatures()) {
                if (tag.equals(entry.annotations().get(OciLayout.REF_NAME))) {
                    return document(layout, entry.digest());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<Long> blobSize(Digest digest) throws IOException {
        Optional<Path> blob = blob(digest);
        return blob.isPresent() ? Optional.of(Files.size(blob.get())) : Optional.empty();
    }

    @Override
    public VerifyingInputStream openBlob(Digest digest, long size) throws IOException {
        Path blob = blob(digest).orElseThrow(() -> new OciException(component + ": no blob " + digest));
        return BlobSource.verifying(Files.newInputStream(blob), new Descriptor(null, digest, size), blob.toString());
    }

    private Optional<Path> blob(Digest digest) {
        return layouts().values().stream()
                .map(layout -> layout.resolve("blobs").resolve(digest.algorithm().id()).resolve(digest.hex()))
                .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                .findFirst();
    }

    /** The blob {@code digest} of {@code layout} when it is a manifest or index whose bytes match the digest. */
    private static Optional<ManifestDocument> document(Path layout, Digest digest) throws IOException {
        Path file = layout.resolve("blobs").resolve(digest.algorithm().id()).resolve(digest.hex());
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > BlobSource.MAX_DOCUMENT_SIZE) {
            return Optional.empty();
        }
        byte[] content = Files.readAllBytes(file);
        if (!Digests.of(digest.algorithm(), content).equals(digest)) {
            throw new OciException(file + " does not match its digest " + digest + ": the release directory is corrupted");
        }
        String mediaType;
        try {
            mediaType = OciJson.mediaTypeOf(content, null, file.toString());
        } catch (OciException e) {
            return Optional.empty(); // a layer or config, not a manifest
        }
        if (!dev.imagefactory.oci.MediaTypes.isIndex(mediaType) && !dev.imagefactory.oci.MediaTypes.isManifest(mediaType)) {
            return Optional.empty();
        }
        return Optional.of(new ManifestDocument(new Descriptor(mediaType, digest, content.length), content));
    }

    /** Tag → layout directory, for the release directories that have this component as an OCI layout. */
    private Map<String, Path> layouts() {
        Map<String, Path> found = new java.util.TreeMap<>();
        releaseDirectories.get().forEach((tag, dir) -> {
            Path layout = dir.resolve(component);
            if (OciLayout.isLayout(layout)) {
                found.put(tag, layout);
            }
        });
        return found;
    }
}
