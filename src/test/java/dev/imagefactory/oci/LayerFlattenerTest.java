package dev.imagefactory.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.oci.TarLayer.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LayerFlattenerTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Compression.class)
    void writesFilesDirectoriesLinksAndModesInEveryCompression(Compression compression) throws IOException {
        TarLayer layer = new TarLayer()
                .dir("./usr/", 0755)
                .dir("./usr/bin/", 0555)
                .file("./usr/bin/tool", 04755, "#!/bin/sh\n")
                .file("usr/lib/data.bin", 0640, new byte[] {0, 1, 2, (byte) 0xff})
                .symlink("usr/lib/current", "data.bin")
                .symlink("bin", "/usr/bin")
                .hardlink("usr/lib/data.link", "usr/lib/data.bin")
                .fifo("usr/lib/pipe");
        Path root = flatten(compression, layer);

        assertEquals("#!/bin/sh\n", Files.readString(root.resolve("usr/bin/tool")));
        assertEquals(04755, mode(root.resolve("usr/bin/tool")));
        assertEquals(0555, mode(root.resolve("usr/bin")), "directory mode applied after its files were written");
        assertEquals(0640, mode(root.resolve("usr/lib/data.bin")));
        assertEquals(TarLayer.MTIME, Files.getLastModifiedTime(root.resolve("usr/lib/data.bin")).toInstant());
        assertEquals(Path.of("data.bin"), Files.readSymbolicLink(root.resolve("usr/lib/current")));
        assertEquals(Path.of("/usr/bin"), Files.readSymbolicLink(root.resolve("bin")));
        assertTrue(Files.isSameFile(root.resolve("usr/lib/data.bin"), root.resolve("usr/lib/data.link")));
        assertFalse(Files.exists(root.resolve("usr/lib/pipe"), LinkOption.NOFOLLOW_LINKS), "FIFOs are skipped");
    }

    @Test
    void whiteoutsHideOnlyWhatLowerLayersWrote() throws IOException {
        TarLayer lower = new TarLayer()
                .file("a/gone", 0644, "lower")
                .file("a/kept", 0644, "lower")
                .file("b/old1", 0644, "lower")
                .file("b/sub/old2", 0644, "lower")
                .file("c", 0644, "lower")
                .file("d/e", 0644, "lower");
        TarLayer upper = new TarLayer()
                .whiteout("a/gone")
                .whiteout("c")
                .file("b/new", 0644, "upper")        // written before the opaque marker: survives it
                .opaque("b")
                .file("b/sub/new2", 0644, "upper")
                .file("x", 0644, "upper")
                .whiteout("x")                       // same-layer whiteouts hide nothing
                .whiteout("d");
        Path root = flatten(Compression.GZIP, lower, upper);

        assertEquals(Map.of("a/kept", "lower", "b/new", "upper", "b/sub/new2", "upper", "x", "upper"), files(root));
        assertFalse(Files.exists(root.resolve("d")));
    }

    @Test
    void upperLayersReplaceEntriesOfEveryKind() throws IOException {
        TarLayer lower = new TarLayer()
                .file("f", 0644, "file")
                .dir("d/", 0755)
                .file("d/inner", 0644, "x")
                .symlink("l", "f");
        TarLayer upper = new TarLayer()
                .dir("f/", 0700)
                .file("d", 0600, "now a file")
                .file("l", 0644, "no longer a link");
        Path root = flatten(Compression.NONE, lower, upper);

        assertTrue(Files.isDirectory(root.resolve("f")));
        assertEquals("now a file", Files.readString(root.resolve("d")));
        assertFalse(Files.isSymbolicLink(root.resolve("l")));
        assertEquals("no longer a link", Files.readString(root.resolve("l")));
    }

    @Test
    void symlinkedParentsAreFollowedInsideTheRoot() throws IOException {
        TarLayer layer = new TarLayer()
                .dir("usr/lib/", 0755)
                .symlink("lib", "/usr/lib")
                .symlink("usr/lib64", "lib")
                .file("lib/a", 0644, "via absolute link")
                .file("usr/lib64/b", 0644, "via relative link");
        Path root = flatten(Compression.NONE, layer);

        assertEquals(Map.of("usr/lib/a", "via absolute link", "usr/lib/b", "via relative link"), files(root));
    }

    @Test
    void refusesEntriesThatWouldLeaveTheRoot() throws IOException {
        for (TarLayer hostile : List.of(
                new TarLayer().file("../escaped", 0644, "x"),
                new TarLayer().file("a/../../escaped", 0644, "x"),
                new TarLayer().file("/escaped", 0644, "x"),
                new TarLayer().symlink("up", "../..").file("up/escaped", 0644, "x"),
                new TarLayer().dir("a/", 0755).symlink("a/up", "../../..").file("a/up/escaped", 0644, "x"),
                new TarLayer().hardlink("stolen", "../../etc/passwd"),
                new TarLayer().whiteout("..")
        )) {
            Path target = Files.createTempDirectory(tmp, "root");
            OciLayoutWriter layout = new OciLayoutWriter(Files.createTempDirectory(tmp, "layout"));
            Descriptor layer = layout.layer(hostile, Compression.NONE);
            UnsafeLayerEntryException e = assertThrows(UnsafeLayerEntryException.class,
                    () -> LayerFlattener.everything().flatten(OciLayout.open(layout.root(layout.index(List.of())).dir()),
                            List.of(layer), target));
            assertTrue(e.getMessage().contains(layer.digest().toString()), e.getMessage());
        }
        try (Stream<Path> everything = Files.walk(tmp)) {
            assertTrue(everything.noneMatch(p -> p.getFileName().toString().equals("escaped")));
        }
    }

    @Test
    void aCorruptedLayerFailsWithADigestMismatch() throws IOException {
        OciLayoutWriter writer = new OciLayoutWriter(tmp.resolve("layout"));
        Descriptor layer = writer.layer(new TarLayer().file("f", 0644, "original content"), Compression.NONE);
        writer.root(writer.index(List.of()));
        Path blob = tmp.resolve("layout/blobs/sha256").resolve(layer.digest().hex());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length - 1] ^= 1; // in the tar padding: the archive still reads fine
        Files.write(blob, bytes, StandardOpenOption.TRUNCATE_EXISTING);

        assertThrows(DigestMismatchException.class, () -> LayerFlattener.everything()
                .flatten(OciLayout.open(tmp.resolve("layout")), List.of(layer), tmp.resolve("out")));

        bytes[600] ^= 1; // now in the file content as well
        Files.write(blob, bytes, StandardOpenOption.TRUNCATE_EXISTING);
        assertThrows(DigestMismatchException.class, () -> LayerFlattener.everything()
                .flatten(OciLayout.open(tmp.resolve("layout")), List.of(layer), tmp.resolve("out2")));
    }

    @Test
    void aGarbledCompressedLayerIsReportedAsADigestMismatch() throws IOException {
        OciLayoutWriter writer = new OciLayoutWriter(tmp.resolve("layout"));
        Descriptor layer = writer.layer(new TarLayer().file("f", 0644, "x".repeat(5000)), Compression.GZIP);
        writer.root(writer.index(List.of()));
        Path blob = tmp.resolve("layout/blobs/sha256").resolve(layer.digest().hex());
        byte[] bytes = Files.readAllBytes(blob);
        for (int i = 12; i < bytes.length - 8; i++) {
            bytes[i] = (byte) 0x55;
        }
        Files.write(blob, bytes, StandardOpenOption.TRUNCATE_EXISTING);

        assertThrows(DigestMismatchException.class, () -> LayerFlattener.everything()
                .flatten(OciLayout.open(tmp.resolve("layout")), List.of(layer), tmp.resolve("out")));
    }

    @Test
    void refusesLayersThatAreNotTars() throws IOException {
        OciLayoutWriter writer = new OciLayoutWriter(tmp.resolve("layout"));
        Descriptor layer = writer.blob(new TarLayer().file("f", 0644, "x").tar(),
                "application/vnd.oci.image.layer.v1.tar+encrypted");
        writer.root(writer.index(List.of()));
        OciException e = assertThrows(OciException.class, () -> LayerFlattener.everything()
                .flatten(OciLayout.open(tmp.resolve("layout")), List.of(layer), tmp.resolve("out")));
        assertTrue(e.getMessage().contains("unsupported media type"), e.getMessage());
    }

    @Test
    void aHardLinkToNothingIsAnError() throws IOException {
        OciException e = assertThrows(OciException.class,
                () -> flatten(Compression.NONE, new TarLayer().hardlink("link", "missing")));
        assertTrue(e.getMessage().contains("hard link"), e.getMessage());
    }

    @Test
    void aFilterKeepsOnlyTheChosenEntriesButAppliesAllWhiteouts() throws IOException {
        TarLayer lower = new TarLayer()
                .file("usr/install/amd64/vmlinuz", 0644, "kernel")
                .file("usr/install/amd64/old", 0644, "old")
                .symlink("usr/install/amd64/link", "vmlinuz")
                .file("usr/bin/imager", 0755, "tool");
        TarLayer upper = new TarLayer().whiteout("usr/install/amd64/old");
        Path root = tmp.resolve("out");
        OciLayoutWriter writer = new OciLayoutWriter(tmp.resolve("layout"));
        List<Descriptor> layers = List.of(writer.layer(lower, Compression.GZIP), writer.layer(upper, Compression.GZIP));
        writer.root(writer.index(List.of()));
        LayerFlattener.regularFilesUnder("usr/install/").flatten(OciLayout.open(writer.dir()), layers, root);

        assertEquals(Map.of("usr/install/amd64/vmlinuz", "kernel"), files(root));
        assertFalse(Files.exists(root.resolve("usr/install/amd64/link"), LinkOption.NOFOLLOW_LINKS));
    }

    private Path flatten(Compression compression, TarLayer... layers) throws IOException {
        OciLayoutWriter writer = new OciLayoutWriter(tmp.resolve("layout"));
        List<Descriptor> descriptors = Stream.of(layers).map(l -> writer.layer(l, compression)).toList();
        writer.root(writer.index(List.of()));
        Path root = tmp.resolve("out");
        LayerFlattener.everything().flatten(OciLayout.open(writer.dir()), descriptors, root);
        return root;
    }

    static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    /** Regular files below {@code root} by relative path, with their text. */
    static Map<String, String> files(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                files.put(root.relativize(p).toString(), Files.readString(p));
            }
        }
        return files;
    }

    static void assertSameBytes(Path expected, Path actual) throws IOException {
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(actual));
    }
}
