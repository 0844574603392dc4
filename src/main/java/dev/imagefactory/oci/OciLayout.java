package dev.imagefactory.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.imagefactory.content.VerifyingInputStream;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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

    /** index.json annotation naming an entry's tag (image-spec annotations.md). */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    private final Path dir;
    private final ImageIndex index;
    private final List<Descriptor> signatures;

    private OciLayout(Path dir, ImageIndex all) {
        this.dir = dir;
        // cosign signature manifests (tagged sha256-<hex>.sig) travel in the layout but are not among its images
        Map<Boolean, List<Descriptor>> split = all.manifests().stream()
                .collect(Collectors.partitioningBy(OciLayout::isSignature));
        this.index = new ImageIndex(all.schemaVersion(), all.mediaType(), split.get(false), all.annotations());
        this.signatures = split.get(true);
    }

    private static boolean isSignature(Descriptor entry) {
        String tag = entry.annotations() == null ? null : entry.annotations().get(REF_NAME);
        return tag != null && SIGNATURE_TAG.matcher(tag).matches();
    }

    private static final Pattern SIGNATURE_TAG = Pattern.compile("sha256-[0-9a-f]{64}\\.sig");

    /** The index.json entries of cosign signature manifests, each tagged {@code sha256-<hex>.sig}. */
    public List<Descriptor> signatures() {
        return signatures;
    }

    /** The verified bytes of the cosign signature manifest tagged {@code tag} in {@code index.json}, if any. */
    public Optional<byte[]> signatureManifest(String tag) throws IOException {
        for (Descriptor entry : signatures) {
            if (tag.equals(entry.annotations().get(REF_NAME))) {
                return Optional.of(readManifest(entry));
            }
        }
        return Optional.empty();
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

    /** The layout's {@code index.json}, without its signature entries. */
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
