package dev.imagefactory.build.initramfs;

import dev.imagefactory.catalog.ReleaseDataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The two initramfs compressions (talos-imager.md §2.6), run as the xz/zstd command-line tools exactly as the imager
 * runs them: both use every core, which xz-java cannot.
 */
enum Compression {
    XZ(new byte[] {(byte) 0xFD, '7', 'z', 'X'},
            List.of("xz", "-C", "crc32", "-0", "-e", "-T", "0", "-z", "-c", "--quiet"),
            List.of("xz", "-d", "-c")),
    ZSTD(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD},
            List.of("zstd", "-T0", "-18", "-c", "--quiet"),
            List.of("zstd", "-d", "-c", "--quiet"));

    private final byte[] magic;
    private final List<String> compress;
    private final List<String> decompress;

    Compression(byte[] magic, List<String> compress, List<String> decompress) {
        this.magic = magic;
        this.compress = compress;
        this.decompress = decompress;
    }

    List<String> compressArgs() {
        return compress;
    }

    List<String> decompressArgs() {
        return decompress;
    }

    static Compression detect(Path file) throws IOException {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) == 4) {
                for (Compression c : values()) {
                    if (Arrays.equals(head, c.magic)) {
                        return c;
                    }
                }
            }
        }
        throw new ReleaseDataException(file.getFileName() + " is neither xz nor zstd compressed");
    }
}
