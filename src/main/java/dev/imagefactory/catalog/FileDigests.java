package dev.imagefactory.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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

    private record Known(Stamp stamp, String sha256) {
    }

    private final Map<Path, Known> known = new ConcurrentHashMap<>();

    public String sha256(Path file) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            Stamp stamp = new Stamp(attrs.size(), attrs.lastModifiedTime().toMillis());
            Known hit = known.get(file);
            if (hit != null && hit.stamp.equals(stamp)) {
                return hit.sha256;
            }
            String digest = hashFile(file);
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
    public String treeSha256(Path root) {
        MessageDigest md = newSha256();
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
                            : "f " + rel + " " + perms + " " + sha256(entry);
                }
                md.update(line.getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash tree " + root, e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String hashFile(Path file) throws IOException {
        MessageDigest md = newSha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
