package dev.imagefactory.oci;

import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes OCI image layouts for tests: blobs, layers, single-platform images, indexes, and index.json. */
public final class OciLayoutWriter {

    private final Path dir;

    public OciLayoutWriter(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Descriptor blob(byte[] content, String mediaType) {
        Digest digest = Digests.sha256(content);
        try {
            Files.write(dir.resolve("blobs/sha256").resolve(digest.hex()), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Descriptor(mediaType, digest, content.length);
    }

    public Descriptor layer(TarLayer layer, TarLayer.Compression compression) {
        String mediaType = switch (compression) {
            case NONE -> MediaTypes.OCI_LAYER;
            case GZIP -> MediaTypes.OCI_LAYER_GZIP;
            case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
        };
        return blob(layer.bytes(compression), mediaType);
    }

    /** A single-platform image: config and manifest; the returned descriptor carries the platform. */
    public Descriptor image(Platform platform, List<TarLayer> layers, TarLayer.Compression compression) {
        List<Descriptor> layerDescriptors = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        for (TarLayer layer : layers) {
            layerDescriptors.add(layer(layer, compression));
            diffIds.add(Digests.sha256(layer.tar()));
        }
        return manifest(platform, layerDescriptors, diffIds);
    }

    public Descriptor manifest(Platform platform, List<Descriptor> layers, List<Digest> diffIds) {
        ImageConfig config = new ImageConfig(platform.architecture(), platform.os(), platform.variant(),
                ImageConfig.RootFs.layers(diffIds));
        Descriptor configBlob = blob(OciJson.write(config), MediaTypes.OCI_CONFIG);
        ImageManifest manifest = ImageManifest.of(MediaTypes.OCI_MANIFEST, configBlob, layers);
        return blob(OciJson.write(manifest), MediaTypes.OCI_MANIFEST).withPlatform(platform);
    }

    public Descriptor index(List<Descriptor> manifests) {
        return blob(OciJson.write(ImageIndex.of(MediaTypes.OCI_INDEX, manifests)), MediaTypes.OCI_INDEX);
    }

    /** Writes {@code index.json} listing {@code roots} (as skopeo does, without platforms). */
    public OciLayoutWriter root(Descriptor... roots) {
        List<Descriptor> entries = new ArrayList<>();
        for (Descriptor root : roots) {
            entries.add(root.withPlatform(null));
        }
        try {
            Files.write(dir.resolve("index.json"), OciJson.write(ImageIndex.of(MediaTypes.OCI_INDEX, entries)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public static String text(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
