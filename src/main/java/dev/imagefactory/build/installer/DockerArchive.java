package dev.imagefactory.build.installer;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The {@code docker save} tarball format as go-containerregistry's {@code tarball.Write} produces it
 * (talos-imager.md §7.1 step 6): the config blob named {@code sha256:<hex>}, each layer as {@code <hex>.tar.gz}
 * (named by its compressed digest), then {@code manifest.json}. Entries are written in that order so a reader can
 * import blobs while streaming and learn their order from {@code manifest.json} at the end.
 */
public final class DockerArchive {

    public static final String MANIFEST = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A compressed layer: its digest and the file holding it. */
    public record Layer(Digest digest, Path file) {
    }

    /** One entry of {@code manifest.json}. */
    public record ManifestEntry(@JsonProperty("Config") String config, @JsonProperty("RepoTags") List<String> repoTags,
            @JsonProperty("Layers") List<String> layers) {
    }

    private DockerArchive() {
    }

    public static String configName(Digest digest) {
        return digest.toString();
    }

    public static String layerName(Digest digest) {
        return digest.hex() + ".tar.gz";
    }

    public static void write(Path out, byte[] config, List<Layer> layers, String repoTag) throws IOException {
        Digest configDigest = Digests.sha256(config);
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            entry(tar, configName(configDigest), config);
            for (Layer layer : layers) {
                TarArchiveEntry header = header(layerName(layer.digest()), Files.size(layer.file()));
                tar.putArchiveEntry(header);
                Files.copy(layer.file(), tar);
                tar.closeArchiveEntry();
            }
            List<String> layerNames = layers.stream().map(l -> layerName(l.digest())).toList();
            byte[] manifest = JSON.writeValueAsBytes(List.of(new ManifestEntry(configName(configDigest),
                    List.of(repoTag), layerNames)));
            entry(tar, MANIFEST, manifest);
            tar.finish();
        }
    }

    /** Parses {@code manifest.json}; a docker-save archive of one image has exactly one entry. */
    public static ManifestEntry readManifest(byte[] json) throws IOException {
        ManifestEntry[] entries = JSON.readValue(json, ManifestEntry[].class);
        if (entries.length != 1) {
            throw new IOException("manifest.json lists " + entries.length + " images, expected 1");
        }
        return entries[0];
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        tar.putArchiveEntry(header(name, content.length));
        tar.write(content);
        tar.closeArchiveEntry();
    }

    /** Reproducible headers: mode 0644, root-owned, mtime 0. */
    private static TarArchiveEntry header(String name, long size) {
        TarArchiveEntry header = new TarArchiveEntry(name, true);
        header.setSize(size);
        header.setMode(0644);
        header.setIds(0, 0);
        header.setModTime(0);
        return header;
    }
}
