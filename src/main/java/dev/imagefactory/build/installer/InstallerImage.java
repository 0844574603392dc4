package dev.imagefactory.build.installer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagefactory.catalog.BaseImage;
import dev.imagefactory.catalog.BaseLayer;
import dev.imagefactory.content.Digests;
import dev.imagefactory.content.Reproducible;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageManifest;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.oci.OciJson;
import dev.imagefactory.oci.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Assembles one single-arch installer image (talos-imager.md §7.1) and writes it into the blob store: the
 * base layers (only the first when the base has exactly two, i.e. an old {@code installer} image whose second layer
 * holds boot assets), the artifacts layer, and the overlay layer if any; a config whose {@code config} block is the
 * base's. Unlike upstream, {@code created} is pinned to {@code SOURCE_DATE_EPOCH} instead of "now", so the same
 * inputs give the same config and manifest digests.
 */
public final class InstallerImage {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Upstream's {@code created} is the build time; ours is fixed so that rebuilds are byte-identical. */
    static final String CREATED = Instant.ofEpochSecond(Reproducible.SOURCE_DATE_EPOCH).toString();

    private InstallerImage() {
    }

    /** The base layers an installer keeps (§7.1 step 3a). */
    public static List<BaseLayer> keptBaseLayers(BaseImage base) {
        return base.layers().size() == 2 ? List.of(base.layers().get(0)) : base.layers();
    }

    /**
     * Writes the image into {@code store} as a blob graph: the kept base layers (copied from the release, verified),
     * the {@code added} layers (moved in), the config, and an OCI and a Docker schema 2 manifest over them (the
     * registry's index offers both). Then reads it back once as its docker-save archive to record the archive's size
     * and digests. Every blob stored is leased into {@code leases}.
     *
     * @param added the artifacts layer, then the overlay layer if there is one (files in a cache work directory)
     * @param repoTag the {@code RepoTags} entry of the archive's {@code manifest.json}
     */
    public static StoredInstallerImage store(BlobStore store, BaseImage base, List<LayerBlob> added, String arch,
            String repoTag, BlobLeases leases) throws IOException {
        List<Descriptor> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        for (BaseLayer layer : keptBaseLayers(base)) {
            Descriptor descriptor = layer.descriptor();
            try (InputStream in = Files.newInputStream(layer.blob())) {
                store.put(descriptor.digest(), descriptor.size(), in, leases);
            }
            layers.add(new Descriptor("", descriptor.digest(), descriptor.size()));
            diffIds.add(Digest.parse(layer.diffId()));
        }
        for (LayerBlob layer : added) {
            store.putFile(layer.digest(), layer.file(), leases);
            layers.add(new Descriptor("", layer.digest(), layer.size()));
            diffIds.add(layer.diffId());
        }
        byte[] configJson = config(Files.readAllBytes(base.config()), arch, diffIds);
        Descriptor config = store.putDocument("", configJson, leases);
        Platform platform = Platform.linux(arch);
        Descriptor oci = store.putDocument(MediaTypes.OCI_MANIFEST, OciJson.write(ImageManifest.of(
                MediaTypes.OCI_MANIFEST, config.withMediaType(MediaTypes.OCI_CONFIG),
                layers.stream().map(l -> l.withMediaType(MediaTypes.OCI_LAYER_GZIP)).toList())), leases);
        Descriptor docker = store.putDocument(MediaTypes.DOCKER_MANIFEST, OciJson.write(ImageManifest.of(
                MediaTypes.DOCKER_MANIFEST, config.withMediaType(MediaTypes.DOCKER_CONFIG),
                layers.stream().map(l -> l.withMediaType(MediaTypes.DOCKER_LAYER_GZIP)).toList())), leases);
        List<DockerArchive.Segment> tarball = DockerArchive.layout(config, layers, repoTag);
        long size = DockerArchive.size(tarball);
        // the tarball's SHA-256 (ETag, .sha256), computed once by streaming it from the blobs
        Digest sha256;
        try (InputStream in = InstallerTarball.stream(tarball, store, 0, size)) {
            sha256 = Digests.sha256(in).digest();
        }
        return new StoredInstallerImage(repoTag, config, layers, oci.withPlatform(platform),
                docker.withPlatform(platform), size, sha256.hex());
    }

    /** The image config: the base's {@code config} block (Env, Entrypoint, Labels, ...) with our platform and layers. */
    static byte[] config(byte[] baseConfig, String arch, List<Digest> diffIds) throws IOException {
        JsonNode base = JSON.readTree(baseConfig);
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", arch);
        config.put("created", CREATED);
        config.put("os", "linux");
        JsonNode block = base == null ? null : base.get("config");
        config.set("config", block == null || !block.isObject() ? JSON.createObjectNode() : block.deepCopy());
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        diffIds.forEach(d -> ids.add(d.toString()));
        return JSON.writeValueAsBytes(config);
    }
}
