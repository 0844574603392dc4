package dev.imagefactory.build.installer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagefactory.catalog.BaseImage;
import dev.imagefactory.catalog.BaseLayer;
import dev.imagefactory.content.Reproducible;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Assembles one single-arch installer image (talos-imager.md §7.1) and writes it as a docker-save tarball: the
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
     * Writes {@code installer-<arch>.tar} to {@code out}.
     *
     * @param added the artifacts layer, then the overlay layer if there is one
     * @param repoTag the {@code RepoTags} entry of {@code manifest.json}
     */
    public static void writeTarball(BaseImage base, List<LayerBlob> added, String arch, String repoTag, Path out)
            throws IOException {
        List<BaseLayer> kept = keptBaseLayers(base);
        List<DockerArchive.Layer> layers = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        for (BaseLayer layer : kept) {
            layers.add(new DockerArchive.Layer(layer.descriptor().digest(), layer.blob()));
            diffIds.add(Digest.parse(layer.diffId()));
        }
        for (LayerBlob layer : added) {
            layers.add(new DockerArchive.Layer(layer.digest(), layer.file()));
            diffIds.add(layer.diffId());
        }
        byte[] config = config(Files.readAllBytes(base.config()), arch, diffIds);
        DockerArchive.write(out, config, layers, repoTag);
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
