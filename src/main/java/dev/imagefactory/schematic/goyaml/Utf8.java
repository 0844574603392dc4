package dev.imagefactory.schematic.goyaml;

/** libyaml's byte-level character classes over UTF-8 (reads past the end count as NUL, like Go's padding). */
final class Utf8 {
    private Utf8() {
    }

    static int at(byte[] b, int i) {
        return i < b.length ? b[i] & 0xff : 0;
    }

    /** Bytes of the sequence a lead byte starts; 0 when {@code c} cannot start one (libyaml's reader checks that). */
    static int sequenceLength(int c) {
        if ((c & 0x80) == 0) {
            return 1;
        }
        if ((c & 0xE0) == 0xC0) {
            return 2;
        }
        if ((c & 0xF0) == 0xE0) {
            return 3;
        }
        if ((c & 0xF8) == 0xF0) {
            return 4;
        }
        return 0;
    }

    /** Like {@link #sequenceLength}, counting a stray byte as one character (the emitter's view of valid text). */
    static int width(byte b) {
        int w = sequenceLength(b & 0xff);
        return w == 0 ? 1 : w;
    }

    static int decode(byte[] b, int i) {
        int w = width(b[i]);
        int c = b[i] & 0xff;
        int v = switch (w) {
            case 2 -> c & 0x1F;
            case 3 -> c & 0x0F;
            case 4 -> c & 0x07;
            default -> c & 0x7F;
        };
        for (int k = 1; k < w; k++) {
            v = (v << 6) + (at(b, i + k) & 0x3F);
        }
        return v;
    }

    static boolean isPrintable(byte[] b, int i) {
        int c = at(b, i);
        int c1 = at(b, i + 1);
        int c2 = at(b, i + 2);
        return c == 0x0A
                || (c >= 0x20 && c <= 0x7E)
                || (c == 0xC2 && c1 >= 0xA0)
                || (c > 0xC2 && c < 0xED)
                || (c == 0xED && c1 < 0xA0)
                || c == 0xEE
                || (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)));
    }

    static boolean isSpace(byte[] b, int i) {
        return at(b, i) == ' ';
    }

    static boolean isBlank(byte[] b, int i) {
        int c = at(b, i);
        return c == ' ' || c == '\t';
    }

    static boolean isLineBreak(byte[] b, int i) {
        int c = at(b, i);
        return c == '\r' || c == '\n'
                || (c == 0xC2 && at(b, i + 1) == 0x85)
                || (c == 0xE2 && at(b, i + 1) == 0x80 && (at(b, i + 2) == 0xA8 || at(b, i + 2) == 0xA9));
    }

    static boolean isBlankOrZero(byte[] b, int i) {
        return isBlank(b, i) || isLineBreak(b, i) || at(b, i) == 0;
    }
}
