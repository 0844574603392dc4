package dev.imagefactory.schematic.goyaml;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The block emitter of go-yaml (a libyaml port) with the settings of {@code yaml.Marshal}: indent 4,
 * sequences indented under their key, unlimited line width, unicode output, legacy quote preference.
 * Written against go-yaml's emitter state machine, recursively instead of with an event queue; only what
 * Marshal of a schematic can produce is supported (no anchors, comments, or non-empty flow collections).
 */
final class GoEmitter {

    private static final int BEST_INDENT = 4;

    /** What the parent was doing when a node started; decides how indentation grows (libyaml's states). */
    private enum Parent { DOCUMENT, SEQUENCE_ITEM, MAPPING_KEY, MAPPING_VALUE }

    private final Output out = new Output();
    private final Deque<Integer> indents = new ArrayDeque<>();
    private int indent = -1;
    private long column;
    private boolean whitespace = true;
    private boolean indention = true;
    private int flowLevel;
    private boolean simpleKeyContext;

    private GoEmitter() {
    }

    static byte[] emit(YamlNode root) {
        GoEmitter e = new GoEmitter();
        e.node(root, Parent.DOCUMENT, false);
        e.writeIndent(); // document end
        return e.out.toByteArray();
    }

    private void node(YamlNode n, Parent parent, boolean simpleKey) {
        simpleKeyContext = simpleKey;
        switch (n.kind) {
            case SCALAR -> scalar(n, parent);
            case SEQUENCE -> {
                if (flowLevel > 0 || n.content.isEmpty()) {
                    emptyFlow('[', ']');
                } else {
                    blockSequence(n, parent);
                }
            }
            case MAPPING -> {
                if (flowLevel > 0 || n.content.isEmpty()) {
                    emptyFlow('{', '}');
                } else {
                    blockMapping(n, parent);
                }
            }
            default -> throw new IllegalArgumentException("cannot emit " + n.kind);
        }
    }

    private void emptyFlow(char open, char close) {
        writeIndicator(new byte[] {(byte) open}, true, true, false);
        increaseIndent(true, false, null);
        flowLevel++;
        flowLevel--;
        popIndent();
        writeIndicator(new byte[] {(byte) close}, false, false, false);
    }

    private void blockSequence(YamlNode n, Parent parent) {
        increaseIndent(false, false, parent);
        for (YamlNode item : n.content) {
            writeIndent();
            writeIndicator(new byte[] {'-'}, true, false, true);
            node(item, Parent.SEQUENCE_ITEM, false);
        }
        popIndent();
    }

    private void blockMapping(YamlNode n, Parent parent) {
        increaseIndent(false, false, parent);
        for (int i = 0; i < n.content.size(); i += 2) {
            YamlNode key = n.content.get(i);
            YamlNode value = n.content.get(i + 1);
            writeIndent();
            if (isSimpleKey(key)) {
                node(key, Parent.MAPPING_KEY, true);
                writeIndicator(new byte[] {':'}, false, false, false);
            } else {
                writeIndicator(new byte[] {'?'}, true, false, true);
                node(key, Parent.MAPPING_KEY, false);
                writeIndent();
                writeIndicator(new byte[] {':'}, true, false, true);
            }
            node(value, Parent.MAPPING_VALUE, false);
        }
        popIndent();
    }

    private boolean isSimpleKey(YamlNode key) {
        if (key.kind != YamlNode.Kind.SCALAR) {
            return key.content.isEmpty() && (key.kind == YamlNode.Kind.SEQUENCE || key.kind == YamlNode.Kind.MAPPING);
        }
        ScalarAnalysis a = ScalarAnalysis.of(key.value);
        if (a.multiline) {
            return false;
        }
        int tagLength = key.tag.isEmpty() ? 0 : key.tag.length();
        return tagLength + key.value.length <= 128;
    }

    /** libyaml's increase_indent with go-yaml's change: inside a sequence item only the "- " is skipped. */
    private void increaseIndent(boolean flow, boolean indentless, Parent parent) {
        indents.push(indent);
        if (indent < 0) {
            indent = flow ? BEST_INDENT : 0;
        } else if (!indentless) {
            if (parent == Parent.SEQUENCE_ITEM) {
                indent += 2;
            } else {
                indent = BEST_INDENT * ((indent + BEST_INDENT) / BEST_INDENT);
            }
        }
    }

    private void popIndent() {
        indent = indents.pop();
    }

    // ---- scalars -------------------------------------------------------------------------------------------

    private void scalar(YamlNode n, Parent parent) {
        ScalarAnalysis a = ScalarAnalysis.of(n.value);
        YamlNode.Style style = selectStyle(n, a);
        if (!n.tag.isEmpty()) {
            writeTag(n.tag);
        }
        increaseIndent(true, false, parent);
        switch (style) {
            case PLAIN -> writePlain(n.value);
            case SINGLE_QUOTED -> writeSingleQuoted(n.value);
            case DOUBLE_QUOTED -> writeDoubleQuoted(n.value);
            case LITERAL -> writeLiteral(n.value);
            default -> throw new IllegalStateException("unsupported style " + style);
        }
        popIndent();
    }

    private YamlNode.Style selectStyle(YamlNode n, ScalarAnalysis a) {
        YamlNode.Style style = n.style;
        if (simpleKeyContext && a.multiline) {
            style = YamlNode.Style.DOUBLE_QUOTED;
        }
        if (style == YamlNode.Style.PLAIN) {
            if (flowLevel > 0 && !a.flowPlainAllowed || flowLevel == 0 && !a.blockPlainAllowed) {
                style = YamlNode.Style.SINGLE_QUOTED;
            }
            if (n.value.length == 0 && (flowLevel > 0 || simpleKeyContext)) {
                style = YamlNode.Style.SINGLE_QUOTED;
            }
        }
        if (style == YamlNode.Style.SINGLE_QUOTED && !a.singleQuotedAllowed) {
            style = YamlNode.Style.DOUBLE_QUOTED;
        }
        if ((style == YamlNode.Style.LITERAL || style == YamlNode.Style.FOLDED)
                && (!a.blockAllowed || flowLevel > 0 || simpleKeyContext)) {
            style = YamlNode.Style.DOUBLE_QUOTED;
        }
        return style;
    }

    /** Only core tags reach here ("!!binary", "!!timestamp"); they are written with the "!!" handle. */
    private void writeTag(String tag) {
        if (!whitespace) {
            put(' ');
        }
        writeAll(tag.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        whitespace = false;
        indention = false;
    }

    private void writePlain(byte[] v) {
        if (v.length > 0 && !whitespace) {
            put(' ');
        }
        writeFlowText(v, false);
        if (v.length > 0) {
            whitespace = false;
        }
        indention = false;
    }

    private void writeSingleQuoted(byte[] v) {
        writeIndicator(new byte[] {'\''}, true, false, false);
        writeFlowText(v, true);
        writeIndicator(new byte[] {'\''}, false, false, false);
        whitespace = false;
        indention = false;
    }

    /**
     * The body of a plain or single-quoted scalar: spaces as they are (lines are never folded, the width is
     * unlimited), line breaks re-indented, and in single quotes every apostrophe doubled.
     */
    private void writeFlowText(byte[] v, boolean doubleApostrophes) {
        boolean breaks = false;
        for (int i = 0; i < v.length; ) {
            if (Utf8.isSpace(v, i)) {
                i = write(v, i);
            } else if (Utf8.isLineBreak(v, i)) {
                if (!breaks && v[i] == '\n') {
                    putLineBreak();
                }
                i = writeLineBreak(v, i);
                breaks = true;
            } else {
                if (breaks) {
                    writeIndent();
                }
                if (doubleApostrophes && v[i] == '\'') {
                    put('\'');
                }
                i = write(v, i);
                indention = false;
                breaks = false;
            }
        }
    }

    private void writeDoubleQuoted(byte[] v) {
        writeIndicator(new byte[] {'"'}, true, false, false);
        boolean bom = v.length >= 3 && (v[0] & 0xff) == 0xEF && (v[1] & 0xff) == 0xBB && (v[2] & 0xff) == 0xBF;
        for (int i = 0; i < v.length; ) {
            if (!Utf8.isPrintable(v, i) || bom || Utf8.isLineBreak(v, i) || v[i] == '"' || v[i] == '\\') {
                int w = Utf8.width(v[i]);
                int cp = Utf8.decode(v, i);
                i += w;
                put('\\');
                switch (cp) {
                    case 0x00 -> put('0');
                    case 0x07 -> put('a');
                    case 0x08 -> put('b');
                    case 0x09 -> put('t');
                    case 0x0A -> put('n');
                    case 0x0B -> put('v');
                    case 0x0C -> put('f');
                    case 0x0D -> put('r');
                    case 0x1B -> put('e');
                    case 0x22 -> put('"');
                    case 0x5C -> put('\\');
                    case 0x85 -> put('N');
                    case 0xA0 -> put('_');
                    case 0x2028 -> put('L');
                    case 0x2029 -> put('P');
                    default -> {
                        int digits;
                        if (cp <= 0xFF) {
                            put('x');
                            digits = 2;
                        } else if (cp <= 0xFFFF) {
                            put('u');
                            digits = 4;
                        } else {
                            put('U');
                            digits = 8;
                        }
                        for (int k = (digits - 1) * 4; k >= 0; k -= 4) {
                            int d = (cp >> k) & 0x0F;
                            put((char) (d < 10 ? '0' + d : 'A' + d - 10));
                        }
                    }
                }
            } else {
                i = write(v, i);
            }
        }
        writeIndicator(new byte[] {'"'}, false, false, false);
        whitespace = false;
        indention = false;
    }

    private void writeLiteral(byte[] v) {
        writeIndicator(new byte[] {'|'}, true, false, false);
        writeBlockScalarHints(v);
        putLineBreak();
        whitespace = true;
        boolean breaks = true;
        for (int i = 0; i < v.length; ) {
            if (Utf8.isLineBreak(v, i)) {
                i = writeLineBreak(v, i);
                breaks = true;
            } else {
                if (breaks) {
                    writeIndent();
                }
                i = write(v, i);
                indention = false;
                breaks = false;
            }
        }
    }

    private void writeBlockScalarHints(byte[] v) {
        if (v.length > 0 && v[0] == ' ') {
            writeIndicator(new byte[] {(byte) ('0' + BEST_INDENT)}, false, false, false);
        }
        char chomp = 0;
        if (v.length == 0) {
            chomp = '-';
        } else {
            int i = v.length - 1;
            while ((v[i] & 0xC0) == 0x80) {
                i--;
            }
            if (!Utf8.isLineBreak(v, i)) {
                chomp = '-';
            } else if (i == 0) {
                chomp = '+';
            } else {
                i--;
                while ((v[i] & 0xC0) == 0x80) {
                    i--;
                }
                if (Utf8.isLineBreak(v, i)) {
                    chomp = '+';
                }
            }
        }
        if (chomp != 0) {
            writeIndicator(new byte[] {(byte) chomp}, false, false, false);
        }
    }

    // ---- low-level writing -------------------------------------------------------------------------------

    private void writeIndent() {
        int target = Math.max(indent, 0);
        if (!indention || column > target || (column == target && !whitespace)) {
            putLineBreak();
        }
        while (column < target) {
            put(' ');
        }
        whitespace = true;
    }

    private void writeIndicator(byte[] indicator, boolean needWhitespace, boolean isWhitespace, boolean isIndention) {
        if (needWhitespace && !whitespace) {
            put(' ');
        }
        writeAll(indicator);
        whitespace = isWhitespace;
        indention = indention && isIndention;
    }

    private void writeAll(byte[] s) {
        for (int i = 0; i < s.length; ) {
            i = write(s, i);
        }
    }

    private void put(char c) {
        out.write(c);
        column++;
    }

    private void putLineBreak() {
        out.write('\n');
        column = 0;
        indention = true;
    }

    /** Copies one UTF-8 character; the column counts characters, not bytes. */
    private int write(byte[] s, int i) {
        int w = Utf8.width(s[i]);
        out.write(s, i, w);
        column++;
        return i + w;
    }

    private int writeLineBreak(byte[] s, int i) {
        if (s[i] == '\n') {
            putLineBreak();
            return i + 1;
        }
        int next = write(s, i);
        column = 0;
        indention = true;
        return next;
    }

    /**
     * A growable byte array. Not {@link java.io.ByteArrayOutputStream}: the emitter writes byte by byte, and that
     * class takes a lock for every write (a third of the marshalling time in a profile of POST /schematics).
     */
    private static final class Output {
        private byte[] bytes = new byte[512];
        private int size;

        void write(int b) {
            if (size == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, size * 2);
            }
            bytes[size++] = (byte) b;
        }

        void write(byte[] s, int offset, int length) {
            if (size + length > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(size * 2, size + length));
            }
            System.arraycopy(s, offset, bytes, size, length);
            size += length;
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(bytes, size);
        }
    }

    /** libyaml's analyze_scalar: which styles can represent the value. */
    static final class ScalarAnalysis {
        boolean multiline;
        boolean flowPlainAllowed;
        boolean blockPlainAllowed;
        boolean singleQuotedAllowed;
        boolean blockAllowed;

        static ScalarAnalysis of(byte[] v) {
            ScalarAnalysis a = new ScalarAnalysis();
            if (v.length == 0) {
                a.flowPlainAllowed = false;
                a.blockPlainAllowed = true;
                a.singleQuotedAllowed = true;
                a.blockAllowed = false;
                return a;
            }
            boolean blockIndicators = false;
            boolean flowIndicators = false;
            boolean lineBreaks = false;
            boolean specialCharacters = false;
            boolean tabCharacters = false;
            boolean leadingSpace = false;
            boolean leadingBreak = false;
            boolean trailingSpace = false;
            boolean trailingBreak = false;
            boolean breakSpace = false;
            boolean spaceBreak = false;
            boolean previousSpace = false;
            boolean previousBreak = false;
            if (v.length >= 3 && ((v[0] == '-' && v[1] == '-' && v[2] == '-') || (v[0] == '.' && v[1] == '.' && v[2] == '.'))) {
                blockIndicators = true;
                flowIndicators = true;
            }
            boolean precededByWhitespace = true;
            for (int i = 0, w; i < v.length; i += w) {
                w = Utf8.width(v[i]);
                boolean followedByWhitespace = i + w >= v.length || Utf8.isBlank(v, i + w);
                if (i == 0) {
                    switch (v[i]) {
                        case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`' -> {
                            flowIndicators = true;
                            blockIndicators = true;
                        }
                        case '?', ':' -> {
                            flowIndicators = true;
                            if (followedByWhitespace) {
                                blockIndicators = true;
                            }
                        }
                        case '-' -> {
                            if (followedByWhitespace) {
                                flowIndicators = true;
                                blockIndicators = true;
                            }
                        }
                        default -> {
                        }
                    }
                } else {
                    switch (v[i]) {
                        case ',', '?', '[', ']', '{', '}' -> flowIndicators = true;
                        case ':' -> {
                            flowIndicators = true;
                            if (followedByWhitespace) {
                                blockIndicators = true;
                            }
                        }
                        case '#' -> {
                            if (precededByWhitespace) {
                                flowIndicators = true;
                                blockIndicators = true;
                            }
                        }
                        default -> {
                        }
                    }
                }
                if (v[i] == '\t') {
                    tabCharacters = true;
                } else if (!Utf8.isPrintable(v, i)) {
                    specialCharacters = true;
                }
                if (Utf8.isSpace(v, i)) {
                    if (i == 0) {
                        leadingSpace = true;
                    }
                    if (i + w == v.length) {
                        trailingSpace = true;
                    }
                    if (previousBreak) {
                        breakSpace = true;
                    }
                    previousSpace = true;
                    previousBreak = false;
                } else if (Utf8.isLineBreak(v, i)) {
                    lineBreaks = true;
                    if (i == 0) {
                        leadingBreak = true;
                    }
                    if (i + w == v.length) {
                        trailingBreak = true;
                    }
                    if (previousSpace) {
                        spaceBreak = true;
                    }
                    previousSpace = false;
                    previousBreak = true;
                } else {
                    previousSpace = false;
                    previousBreak = false;
                }
                precededByWhitespace = Utf8.isBlankOrZero(v, i);
            }
            a.multiline = lineBreaks;
            a.flowPlainAllowed = true;
            a.blockPlainAllowed = true;
            a.singleQuotedAllowed = true;
            a.blockAllowed = true;
            if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
                a.flowPlainAllowed = false;
                a.blockPlainAllowed = false;
            }
            if (trailingSpace) {
                a.blockAllowed = false;
            }
            if (breakSpace) {
                a.flowPlainAllowed = false;
                a.blockPlainAllowed = false;
                a.singleQuotedAllowed = false;
            }
            if (spaceBreak || tabCharacters || specialCharacters) {
                a.flowPlainAllowed = false;
                a.blockPlainAllowed = false;
                a.singleQuotedAllowed = false;
            }
            if (spaceBreak || specialCharacters) {
                a.blockAllowed = false;
            }
            if (lineBreaks) {
                a.flowPlainAllowed = false;
                a.blockPlainAllowed = false;
            }
            if (flowIndicators) {
                a.flowPlainAllowed = false;
            }
            if (blockIndicators) {
                a.blockPlainAllowed = false;
            }
            return a;
        }
    }
}
