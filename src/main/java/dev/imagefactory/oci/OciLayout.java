package dev.imagefactory.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.imagefactory.content.VerifyingInputStream;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A read-only OCI image layout directory: {@code oci-layout}, {@code index.json} and {@code blobs/<alg>/<hex>}
 * (image-spec "image-layout.md"). Every blob read is verified against its descriptor.
 */
public final class OciLayout implements ImageSource {

    public static final String MARKER = "oci-layout";
    public static final String INDEX = "index.json";

    @JsonIgnoreProperties(ignoreUnknown = true)
    record LayoutMarker(String imageLayoutVersion) {
    }

    private final Path dir;
    private final ImageIndex index;

    private OciLayout(Path dir, ImageIndex index) {
        this.dir = dir;
        this.index = index;
    }

    /** Whether {@code dir} looks like an image layout (has the {@code oci-layout} marker). */
    public static boolean isLayout(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER));
    }

    public static OciLayout open(Path dir) throws IOException {
        byte[] marker = readSmall(dir.resolve(MARKER));
        LayoutMarker layout = OciJson.read(marker, LayoutMarker.class, dir.resolve(MARKER).toString());
        if (layout.imageLayoutVersion() == null || !layout.imageLayoutVersion().startsWith("1.")) {
            throw new OciException(dir.resolve(MARKER) + ": unsupported imageLayoutVersion \""
                    + layout.imageLayoutVersion() + "\"");
        }
        ImageIndex index = OciJson.index(readSmall(dir.resolve(INDEX)), dir.resolve(INDEX).toString());
        return new OciLayout(dir, index);
    }

    public Path dir() {
        return dir;
    }

    /** The layout's {@code index.json}. */
    public ImageIndex index() {
        return index;
    }

    /** The image manifest for {@code platform} among the layout's images. */
    public ResolvedManifest resolve(Platform platform) throws IOException {
        return ManifestSelector.select(this, index, platform, dir.resolve(INDEX).toString());
    }

    public Path blobPath(Digest digest) {
        return dir.resolve("blobs").resolve(digest.algorithm().id()).resolve(digest.hex());
    }

    @Override
    public VerifyingInputStream open(Descriptor descriptor) throws IOException {
        Path blob = blobPath(descriptor.digest());
        try {
            return BlobSource.verifying(Files.newInputStream(blob), descriptor, blob.toString());
        } catch (NoSuchFileException e) {
            throw new OciException(dir + ": missing blob " + descriptor.digest(), e);
        }
    }

    private static byte[] readSmall(Path file) throws IOException {
        try {
            if (Files.size(file) > MAX_DOCUMENT_SIZE) {
                throw new OciException(file + ": too large for an image layout document");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new OciException("not an OCI image layout: " + file + " is missing", e);
        }
    }
}
