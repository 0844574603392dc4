package dev.imagefactory.build;

import dev.imagefactory.model.Quirks;

import dev.imagefactory.schematic.Schematic.MetaValue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * META values as they travel on a kernel command line (talos-imager.md §3.6, Talos {@code meta.Values.Encode}):
 * {@code 0x<key in lowercase hex>=<value>} joined by {@code ;}, gzip'ed at best compression when the version allows
 * it and the text is longer than 256 bytes, then standard base64 with padding. The result is the value of
 * {@code INSTALLER_META_BASE64} in {@code talos.environment=INSTALLER_META_BASE64=<encoded>}.
 *
 * <p><b>Byte identity with upstream is guaranteed only for uncompressed values.</b> The gzip member header is
 * written by hand to match Go's {@code compress/gzip} ({@code 1f 8b 08 00}, mtime 0, XFL {@code 02} for best
 * compression, OS {@code ff}); Java's {@code GZIPOutputStream} would write XFL 0 and OS 0. The deflate stream
 * itself comes from zlib (via {@link Deflater}), whereas Go uses its own {@code compress/flate}; both are valid
 * DEFLATE and decode to the same text, but their block choices differ, so the base64 of a compressed value may
 * differ from upstream's. Talos only decodes the value, so nothing depends on these bytes except cache identity.
 */
public final class MetaEncoding {

    /** Above this many bytes of text, and when allowed, the text is gzip'ed. */
    static final int COMPRESSION_THRESHOLD = 256;

    private MetaEncoding() {
    }

    /** Encodes for a Talos version: compression only when {@link Quirks#supportsCompressedEncodedMeta()}. */
    public static String encode(List<MetaValue> values, Quirks quirks) {
        return encode(values, quirks.supportsCompressedEncodedMeta());
    }

    public static String encode(List<MetaValue> values, boolean allowCompression) {
        byte[] raw = text(values).getBytes(StandardCharsets.UTF_8);
        if (allowCompression && raw.length > COMPRESSION_THRESHOLD) {
            raw = gzipLikeGo(raw);
        }
        return Base64.getEncoder().encodeToString(raw);
    }

    /** The text before compression: {@code 0xa={"externalIPs":["1.2.3.4"]};0xb=...}. */
    static String text(List<MetaValue> values) {
        return values.stream()
                .map(v -> "0x" + Integer.toHexString(checkedKey(v.key())) + "=" + v.value())
                .collect(Collectors.joining(";"));
    }

    /** META keys are one byte; the schematic parser already refuses others, so this is a programming error. */
    private static int checkedKey(int key) {
        if (key < 0 || key > 255) {
            throw new IllegalArgumentException("META key out of range: " + key);
        }
        return key;
    }

    /** One gzip member: Go's header bytes, a zlib raw deflate stream at level 9, CRC-32 and length (little-endian). */
    static byte[] gzipLikeGo(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 32);
        // ID1 ID2 CM=deflate FLG=0, MTIME=0 (Go writes 0 for a zero ModTime), XFL=2 (best compression), OS=255
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, (byte) 0xff});
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(data);
            deflater.finish();
            byte[] buf = new byte[8192];
            while (!deflater.finished()) {
                int n = deflater.deflate(buf);
                out.write(buf, 0, n);
            }
        } finally {
            deflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        writeIntLe(out, (int) crc.getValue());
        writeIntLe(out, data.length); // ISIZE: length mod 2^32
        return out.toByteArray();
    }

    private static void writeIntLe(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
