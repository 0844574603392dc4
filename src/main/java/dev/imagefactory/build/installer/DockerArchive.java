package dev.imagefactory.build.installer;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipEncoding;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;

/**
 * The {@code docker save} tarball format as go-containerregistry's {@code tarball.Write} produces it
 * (talos-imager.md §7.1 step 6): the config blob named {@code sha256:<hex>}, each layer as {@code <hex>.tar.gz}
 * (named by its compressed digest), then {@code manifest.json}. The archive is laid out as {@link Segment}s (tar
 * headers, blob contents, padding) so that it can be streamed, or any byte range of it, straight from the blob store
 * without ever being written whole ({@link InstallerTarball}). The tar framing is commons-compress's (each entry a
 * 512-byte ustar header, its content padded to 512 bytes, two zero records at the end), with the headers written by
 * {@link TarArchiveEntry} itself; {@code DockerArchiveTest} checks the layout against {@code TarArchiveOutputStream}.
 */
public final class DockerArchive {

    public static final String MANIFEST = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORD = TarConstants.DEFAULT_RCDSIZE;
    private static final ZipEncoding NAMES = ZipEncodingHelper.getZipEncoding("UTF-8");

    /** One entry of {@code manifest.json}. */
    public record ManifestEntry(@JsonProperty("Config") String config, @JsonProperty("RepoTags") List<String> repoTags,
            @JsonProperty("Layers") List<String> layers) {
    }

    /** A run of the archive's bytes: literal bytes (headers, manifest.json), a stored blob, or zero padding. */
    public sealed interface Segment {
        long size();
    }

    public record Bytes(byte[] content) implements Segment {
        @Override
        public long size() {
            return content.length;
        }
    }

    public record Blob(Digest digest, long size) implements Segment {
    }

    public record Zeros(long size) implements Segment {
    }

    private DockerArchive() {
    }

    public static String configName(Digest digest) {
        return digest.toString();
    }

    public static String layerName(Digest digest) {
        return digest.hex() + ".tar.gz";
    }

    /** The archive of the image with this config and these layers (in order), tagged {@code repoTag}. */
    public static List<Segment> layout(Descriptor config, List<Descriptor> layers, String repoTag) {
        List<Segment> segments = new ArrayList<>();
        entry(segments, configName(config.digest()), new Blob(config.digest(), config.size()));
        for (Descriptor layer : layers) {
            entry(segments, layerName(layer.digest()), new Blob(layer.digest(), layer.size()));
        }
        List<String> layerNames = layers.stream().map(l -> layerName(l.digest())).toList();
        byte[] manifest;
        try {
            manifest = JSON.writeValueAsBytes(List.of(new ManifestEntry(configName(config.digest()), List.of(repoTag),
                    layerNames)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        entry(segments, MANIFEST, new Bytes(manifest));
        segments.add(new Zeros(2L * RECORD)); // the end-of-archive marker
        return segments;
    }

    /** The archive's size in bytes. */
    public static long size(List<Segment> segments) {
        return segments.stream().mapToLong(Segment::size).sum();
    }

    private static void entry(List<Segment> segments, String name, Segment content) {
        if (name.length() >= TarConstants.NAMELEN || content.size() > TarConstants.MAXSIZE) {
            // both would need PAX headers, which the names and sizes of an installer image never do
            throw new IllegalArgumentException("tar entry " + name + " (" + content.size() + " bytes) needs PAX headers");
        }
        byte[] header = new byte[RECORD];
        try {
            header(name, content.size()).writeEntryHeader(header, NAMES, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        segments.add(new Bytes(header));
        segments.add(content);
        long padding = (RECORD - content.size() % RECORD) % RECORD;
        if (padding > 0) {
            segments.add(new Zeros(padding));
        }
    }

    /** Reproducible headers: mode 0644, root-owned, mtime 0. */
    static TarArchiveEntry header(String name, long size) {
        TarArchiveEntry header = new TarArchiveEntry(name, true);
        header.setSize(size);
        header.setMode(0644);
        header.setIds(0, 0);
        header.setModTime(0);
        return header;
    }
}
