package dev.imagefactory.build;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The name a download is saved under, made safe for every place it is written: the checksum line, the
 * {@code Content-Disposition} of a direct answer, and the one a presigned storage URL asks the store to send. Kept
 * below the front ends because a storage redirect carries the same header as a direct answer.
 */
public final class DownloadNames {

    private static final String ATTR_CHARS = "!#$&+-.^_`|~";

    private DownloadNames() {
    }

    /** The name without control characters (CR, LF, line/paragraph separators); {@code download} when blank or null. */
    public static String clean(String filename) {
        StringBuilder out = new StringBuilder(filename == null ? 0 : filename.length());
        if (filename != null) {
            filename.codePoints().filter(cp -> !Character.isISOControl(cp) && cp != 0x2028 && cp != 0x2029)
                    .forEach(out::appendCodePoint);
        }
        return out.toString().isBlank() ? "download" : out.toString();
    }

    /**
     * {@code attachment; filename="<ascii>"}, plus {@code filename*=UTF-8''<percent-encoded>} (RFC 6266 / 8187) when
     * the quoted form had to change the name. In the quoted form control characters (CR, LF, ...) are dropped and
     * quotes, backslashes and non-ASCII characters become {@code _}: no client can then read a header split or a
     * path out of it, whether or not it unescapes quoted-pairs.
     */
    public static String contentDisposition(String filename) {
        String clean = clean(filename);
        StringBuilder ascii = new StringBuilder(clean.length());
        clean.codePoints().forEach(cp -> ascii.append(cp < 0x80 && cp != '"' && cp != '\\' ? (char) cp : '_'));
        String value = "attachment; filename=\"" + ascii + "\"";
        if (!ascii.toString().equals(clean)) {
            value += "; filename*=UTF-8''" + percentEncode(clean);
        }
        return value;
    }

    private static String percentEncode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ATTR_CHARS.indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return out.toString();
    }
}
