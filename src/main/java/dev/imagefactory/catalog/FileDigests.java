package dev.imagefactory.catalog;

import dev.imagefactory.content.CountingDigestOutputStream;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * SHA-256 of release files and trees, remembered per (path, size, mtime) so a multi-megabyte kernel is hashed once
 * per change, not once per request.
 */
public final class FileDigests {

    private record Stamp(long size, long modified) {
    }

    private record Known(Stamp stamp, Digest sha256) {
    }

    private final Map<Path, Known> known = new ConcurrentHashMap<>();

    public Digest sha256(Path file) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            Stamp stamp = new Stamp(attrs.size(), attrs.lastModifiedTime().toMillis());
            Known hit = known.get(file);
            if (hit != null && hit.stamp.equals(stamp)) {
                return hit.sha256;
            }
            Digest digest = Digests.sha256(file).digest();
            known.put(file, new Known(stamp, digest));
            return digest;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file, e);
        }
    }

    /**
     * A digest of a whole directory tree: every entry's relative path, type, permissions, link target and content,
     * in name order. Two trees with the same files give the same digest wherever they live.
     */
    public Digest treeSha256(Path root) {
        CountingDigestOutputStream listing = new CountingDigestOutputStream(OutputStream.nullOutputStream());
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> entries = walk.sorted().toList();
            for (Path entry : entries) {
                String rel = root.relativize(entry).toString();
                String line;
                if (Files.isSymbolicLink(entry)) {
                    line = "l " + rel + " -> " + Files.readSymbolicLink(entry);
                } else {
                    String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(entry, LinkOption.NOFOLLOW_LINKS));
                    line = Files.isDirectory(entry) ? "d " + rel + " " + perms
                            : "f " + rel + " " + perms + " " + sha256(entry).hex();
                }
                listing.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash tree " + root, e);
        }
        return listing.descriptor().digest();
    }
}
