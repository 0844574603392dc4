package dev.imagefactory.oci;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * How a layer blob is compressed. The media type says what the producer meant; the magic bytes say what it wrote,
 * and they decide, because tools have long labelled plain tars {@code .tar.gzip} and vice versa.
 */
enum LayerCompression {
    NONE, GZIP, ZSTD;

    private static final int[] GZIP_MAGIC = {0x1f, 0x8b};
    private static final int[] ZSTD_MAGIC = {0x28, 0xb5, 0x2f, 0xfd};

    /** Refuses media types that are not tar layers (encrypted layers, artifacts) before any byte is read. */
    static void checkLayerMediaType(Descriptor layer) throws OciException {
        if (layer.mediaType() != null && !MediaTypes.LAYERS.contains(layer.mediaType())) {
            throw new OciException("layer " + layer.digest() + " has unsupported media type \"" + layer.mediaType() + "\"");
        }
    }

    /** The decompressed tar stream of {@code raw}; closing it closes {@code raw}. */
    static InputStream decompress(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        return switch (sniff(in)) {
            case GZIP -> new GzipCompressorInputStream(in, true);
            case ZSTD -> new ZstdCompressorInputStream(in);
            case NONE -> in;
        };
    }

    static LayerCompression sniff(BufferedInputStream in) throws IOException {
        in.mark(ZSTD_MAGIC.length);
        int[] head = new int[ZSTD_MAGIC.length];
        for (int i = 0; i < head.length; i++) {
            head[i] = in.read();
        }
        in.reset();
        if (startsWith(head, GZIP_MAGIC)) {
            return GZIP;
        }
        return startsWith(head, ZSTD_MAGIC) ? ZSTD : NONE;
    }

    private static boolean startsWith(int[] head, int[] magic) {
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
