package dev.imagefactory.build.installer;

import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.schematic.goyaml.GoEncoder;
import dev.imagefactory.schematic.goyaml.GoType;
import dev.imagefactory.tools.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The installer's overlay layer (talos-imager.md §7.1 step 5), from the target-arch overlay extraction:
 * {@code overlay/artifacts/**} (directories, files and symlinks with their permission bits),
 * {@code overlay/installers/default} (the overlay's installer, renamed) and {@code overlay/extra-options} (the
 * schematic's overlay options as go-yaml writes them). Reproducible like {@link ArtifactsLayer}: entries sorted by
 * path, uid/gid 0, mtime 0, gzip (pigz) with neither name nor time in its header.
 */
public final class OverlayLayer {

    static final String PREFIX = "overlay/";
    private static final GoType OPTIONS = new GoType.StringAnyMap();

    private OverlayLayer() {
    }

    /** A layer entry: a directory ({@code source} null), a file or a symlink, with its permission bits. */
    private record Entry(Path source, int mode, byte[] content) {
    }

    /**
     * {@code yaml.Marshal} of the overlay options map: {@code {}} and a newline when there are none. The map is as
     * the schematic decoder gives it (string keys, go-yaml decoded values).
     */
    public static byte[] extraOptions(Map<Object, Object> options) {
        return GoEncoder.marshal(options == null ? Map.of() : options, OPTIONS);
    }

    /** Writes the gzip layer for {@code image} (its installer and artifacts) and {@code extraOptions} to {@code out}. */
    public static LayerBlob write(ProcessRunner runner, OverlayImage image, byte[] extraOptions, Path out)
            throws IOException {
        Map<String, Entry> entries = new TreeMap<>();
        entries.put("overlay", new Entry(null, 0755, null));
        Path artifacts = image.artifacts();
        if (Files.isDirectory(artifacts, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(artifacts)) {
                for (Path path : (Iterable<Path>) walk::iterator) {
                    String relative = artifacts.relativize(path).toString();
                    String name = PREFIX + "artifacts" + (relative.isEmpty() ? "" : "/" + relative);
                    if (Files.isSymbolicLink(path)) {
                        entries.put(name, new Entry(path, 0777, null));
                    } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                        entries.put(name, new Entry(null, mode(path), null));
                    } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                        entries.put(name, new Entry(path, mode(path), null));
                    } // sockets, devices, fifos: not payload
                }
            }
        }
        entries.put(PREFIX + "installers", new Entry(null, 0755, null));
        entries.put(PREFIX + "installers/" + OverlayImage.DEFAULT_INSTALLER,
                new Entry(image.installer(), mode(image.installer()), null));
        entries.put(PREFIX + "extra-options", new Entry(null, 0644, extraOptions.clone()));

        return GzipTarLayer.write(runner, out, tar -> {
            for (Map.Entry<String, Entry> named : entries.entrySet()) {
                Entry entry = named.getValue();
                TarArchiveEntry header;
                if (entry.content() != null) {
                    header = new TarArchiveEntry(named.getKey(), true);
                    header.setSize(entry.content().length);
                } else if (entry.source() == null) {
                    header = new TarArchiveEntry(named.getKey() + "/", true);
                } else if (Files.isSymbolicLink(entry.source())) {
                    header = new TarArchiveEntry(named.getKey(), TarConstants.LF_SYMLINK, true);
                    header.setLinkName(Files.readSymbolicLink(entry.source()).toString());
                } else {
                    header = new TarArchiveEntry(named.getKey(), true);
                    header.setSize(Files.size(entry.source()));
                }
                header.setMode(header.getMode() & ~07777 | entry.mode());
                header.setIds(0, 0);
                header.setUserName("");
                header.setGroupName("");
                header.setModTime(0);
                tar.putArchiveEntry(header);
                if (entry.content() != null) {
                    tar.write(entry.content());
                } else if (entry.source() != null && Files.isRegularFile(entry.source(), LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(entry.source(), tar);
                }
                tar.closeArchiveEntry();
            }
        });
    }

    private static int mode(Path path) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }
}
