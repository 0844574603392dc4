package dev.imagefactory.schematic.goyaml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The reader, scanner and parser of go-yaml v4 (a libyaml descendant with 1-based columns, YAML 1.2-style
 * plain scalars and comment scanning), re-implemented so that what is accepted, refused and how far the input
 * is read before the first document is complete all match the reference. The structure follows go-yaml's
 * {@code internal/libyaml} reader.go, scanner.go and parser.go function by function; the details that look
 * arbitrary (512-byte read chunks, the two-token lookahead, the comment scanners peeking ahead, tab rules)
 * decide which inputs fail, so they are kept. Comments are scanned exactly as go-yaml scans them, but their
 * text is not kept: it never reaches a schematic.
 */
final class LibyamlParser {

    // ---- errors -----------------------------------------------------------------------------------------------

    /** A reader, scanner or parser error, with go-yaml's 1-based line of the problem. */
    static final class Error extends RuntimeException {
        Error(String stage, String context, String problem, Mark mark) {
            super("yaml: line " + (mark == null ? 0 : mark.line()) + ": "
                    + (context == null ? "" : context + ": ") + problem + " (" + stage + ")");
        }
    }

    record Mark(int index, int line, int column) {
    }

    private static Error scannerError(String context, Mark contextMark, String problem, Mark mark) {
        return new Error("scanner", context, problem, mark);
    }

    private static Error parserError(String context, String problem, Mark mark) {
        return new Error("parser", context, problem, mark);
    }

    // ---- tokens and events ------------------------------------------------------------------------------------

    enum TokenType {
        NONE, STREAM_START, STREAM_END, VERSION_DIRECTIVE, TAG_DIRECTIVE, DOCUMENT_START, DOCUMENT_END,
        BLOCK_SEQUENCE_START, BLOCK_MAPPING_START, BLOCK_END, FLOW_SEQUENCE_START, FLOW_SEQUENCE_END,
        FLOW_MAPPING_START, FLOW_MAPPING_END, BLOCK_ENTRY, FLOW_ENTRY, KEY, VALUE, ALIAS, ANCHOR, TAG, SCALAR
    }

    enum ScalarStyle { ANY, PLAIN, SINGLE_QUOTED, DOUBLE_QUOTED, LITERAL, FOLDED }

    private static final class Token {
        final TokenType type;
        final Mark start;
        final Mark end;
        byte[] value;
        byte[] suffix;
        byte[] prefix;
        ScalarStyle style = ScalarStyle.ANY;
        int major;
        int minor;

        Token(TokenType type, Mark start, Mark end) {
            this.type = type;
            this.start = start;
            this.end = end;
        }
    }

    enum EventType {
        NONE, STREAM_START, STREAM_END, DOCUMENT_START, DOCUMENT_END, ALIAS, SCALAR, SEQUENCE_START, SEQUENCE_END,
        MAPPING_START, MAPPING_END, TAIL_COMMENT
    }

    /** A parser event; only what the composer uses is kept. */
    static final class Event {
        final EventType type;
        final Mark start;
        byte[] anchor;
        byte[] tag;
        byte[] value;
        ScalarStyle scalarStyle = ScalarStyle.ANY;
        boolean flow;

        Event(EventType type, Mark start) {
            this.type = type;
            this.start = start;
        }
    }

    /** A zero SimpleKey is a real value in go-yaml (its mark is line 0), so fields start zeroed, not null. */
    private static final class SimpleKey {
        boolean required;
        int flowLevel;
        int tokenNumber;
        Mark mark = new Mark(0, 0, 0);
    }

    private static final class Comment {
        Mark scanMark;
        Mark tokenMark;
        Mark startMark;
        Mark endMark;
        byte[] head;
        byte[] line;
        byte[] foot;

        Comment(Mark scanMark, Mark tokenMark, Mark startMark, Mark endMark) {
            this.scanMark = scanMark;
            this.tokenMark = tokenMark;
            this.startMark = startMark;
            this.endMark = endMark;
        }
    }

    /** A growable byte string, like the []byte values the Go scanner appends to. */
    private static final class Bytes {
        byte[] b = new byte[16];
        int len;

        void add(int c) {
            if (len == b.length) {
                b = Arrays.copyOf(b, len * 2);
            }
            b[len++] = (byte) c;
        }

        void addAll(Bytes o) {
            for (int i = 0; i < o.len; i++) {
                add(o.b[i]);
            }
        }

        void clear() {
            len = 0;
        }

        int at(int i) {
            return b[i] & 0xff;
        }

        byte[] toArray() {
            return Arrays.copyOf(b, len);
        }
    }

    private record TagDirective(byte[] handle, byte[] prefix) {
    }

    // ---- reader state -----------------------------------------------------------------------------------------

    private static final int RAW_CAP = 512;
    private static final int BUF_CAP = RAW_CAP * 3;
    private static final int ANY_ENCODING = 0;
    private static final int UTF8 = 1;
    private static final int UTF16LE = 2;
    private static final int UTF16BE = 3;

    private final byte[] input;
    private int inputPos;
    private boolean eof;
    /** Go's buffer slice: bytes [0, bufferLen) of an array with spare room for look-ahead reads. */
    private final byte[] buffer = new byte[BUF_CAP + 4096];
    private int bufferLen;
    private int bufferPos;
    private int unread;
    private int newlines;
    private final byte[] raw = new byte[RAW_CAP];
    private int rawLen;
    private int rawPos;
    private int encoding = ANY_ENCODING;
    private int offset;
    private int markIndex;
    private int markLine = 1;
    private int markColumn = 1;

    // ---- scanner state ----------------------------------------------------------------------------------------

    private final List<Comment> comments = new ArrayList<>();
    private int commentsHead;
    private boolean streamStartProduced;
    private boolean streamEndProduced;
    private int flowLevel;
    private final List<Token> tokens = new ArrayList<>();
    private int tokensHead;
    private int tokensParsed;
    private boolean tokenAvailable;
    private int indent;
    private final List<Integer> indents = new ArrayList<>();
    private boolean simpleKeyAllowed;
    private boolean simpleKeyPossible;
    private SimpleKey simpleKey = new SimpleKey();
    private final List<SimpleKey> simpleKeyStack = new ArrayList<>();

    // ---- parser state -----------------------------------------------------------------------------------------

    private enum State {
        STREAM_START, IMPLICIT_DOCUMENT_START, DOCUMENT_START, DOCUMENT_CONTENT, DOCUMENT_END, BLOCK_NODE,
        BLOCK_SEQUENCE_FIRST_ENTRY, BLOCK_SEQUENCE_ENTRY, INDENTLESS_SEQUENCE_ENTRY, BLOCK_MAPPING_FIRST_KEY,
        BLOCK_MAPPING_KEY, BLOCK_MAPPING_VALUE, FLOW_SEQUENCE_FIRST_ENTRY, FLOW_SEQUENCE_ENTRY,
        FLOW_SEQUENCE_ENTRY_MAPPING_KEY, FLOW_SEQUENCE_ENTRY_MAPPING_VALUE, FLOW_SEQUENCE_ENTRY_MAPPING_END,
        FLOW_MAPPING_FIRST_KEY, FLOW_MAPPING_KEY, FLOW_MAPPING_VALUE, FLOW_MAPPING_EMPTY_VALUE, END
    }

    private static final int MAX_DEPTH = 10_000;
    private static final List<TagDirective> DEFAULT_TAG_DIRECTIVES = List.of(
            new TagDirective("!".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    "!".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
            new TagDirective("!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    "tag:yaml.org,2002:".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));

    private State state = State.STREAM_START;
    private final List<State> states = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();
    private final List<TagDirective> tagDirectives = new ArrayList<>();
    private Error lastError;

    LibyamlParser(byte[] input) {
        this.input = input;
    }

    private Mark mark() {
        return new Mark(markIndex, markLine, markColumn);
    }

    // =========================================================================================================
    // Reader (reader.go)
    // =========================================================================================================

    /** bytes.Reader.Read: -1 stands for io.EOF. */
    private int readInput(byte[] dst, int off, int len) {
        if (inputPos >= input.length) {
            return -1;
        }
        int n = Math.min(len, input.length - inputPos);
        System.arraycopy(input, inputPos, dst, off, n);
        inputPos += n;
        return n;
    }

    private void updateRawBuffer() {
        if (rawPos == 0 && rawLen == RAW_CAP) {
            return;
        }
        if (eof) {
            return;
        }
        if (rawPos > 0 && rawPos < rawLen) {
            System.arraycopy(raw, rawPos, raw, 0, rawLen - rawPos);
        }
        rawLen -= rawPos;
        rawPos = 0;
        int n = readInput(raw, rawLen, RAW_CAP - rawLen);
        if (n < 0) {
            eof = true;
        } else {
            rawLen += n;
        }
    }

    private void determineEncoding() {
        while (!eof && rawLen - rawPos < 3) {
            updateRawBuffer();
        }
        int avail = rawLen - rawPos;
        if (avail >= 2 && (raw[rawPos] & 0xff) == 0xFF && (raw[rawPos + 1] & 0xff) == 0xFE) {
            encoding = UTF16LE;
            rawPos += 2;
            offset += 2;
        } else if (avail >= 2 && (raw[rawPos] & 0xff) == 0xFE && (raw[rawPos + 1] & 0xff) == 0xFF) {
            encoding = UTF16BE;
            rawPos += 2;
            offset += 2;
        } else if (avail >= 3 && (raw[rawPos] & 0xff) == 0xEF && (raw[rawPos + 1] & 0xff) == 0xBB
                && (raw[rawPos + 2] & 0xff) == 0xBF) {
            encoding = UTF8;
            rawPos += 3;
            offset += 3;
        } else {
            encoding = UTF8;
        }
    }

    private static Error readerError(String problem) {
        return new Error("reader", null, problem, null);
    }

    /**
     * Ensures {@code length} characters are decoded; returns an error (without throwing) like Go, because some
     * callers ignore it. On error, like Go, the buffer is left "open" at its full capacity.
     */
    private Error updateBuffer(int length) {
        if (unread >= length) {
            return null;
        }
        if (encoding == ANY_ENCODING) {
            determineEncoding();
        }
        int bufLen = bufferLen;
        if (bufferPos > 0 && bufferPos < bufLen) {
            System.arraycopy(buffer, bufferPos, buffer, 0, bufLen - bufferPos);
            bufLen -= bufferPos;
            bufferPos = 0;
        } else if (bufferPos == bufLen) {
            bufLen = 0;
            bufferPos = 0;
        }
        bufferLen = BUF_CAP;
        boolean first = true;
        while (unread < length) {
            if (!first || rawPos == rawLen) {
                updateRawBuffer();
            }
            first = false;
            inner:
            while (rawPos != rawLen) {
                int value;
                int width;
                int rawUnread = rawLen - rawPos;
                if (encoding == UTF8) {
                    int octet = raw[rawPos] & 0xff;
                    if ((octet & 0x80) == 0) {
                        width = 1;
                    } else if ((octet & 0xE0) == 0xC0) {
                        width = 2;
                    } else if ((octet & 0xF0) == 0xE0) {
                        width = 3;
                    } else if ((octet & 0xF8) == 0xF0) {
                        width = 4;
                    } else {
                        return readerError("invalid leading UTF-8 octet (value: " + octet + ")");
                    }
                    if (width > rawUnread) {
                        if (eof) {
                            return readerError("incomplete UTF-8 octet sequence");
                        }
                        break inner;
                    }
                    if ((octet & 0x80) == 0) {
                        value = octet & 0x7F;
                    } else if ((octet & 0xE0) == 0xC0) {
                        value = octet & 0x1F;
                    } else if ((octet & 0xF0) == 0xE0) {
                        value = octet & 0x0F;
                    } else {
                        value = octet & 0x07;
                    }
                    for (int k = 1; k < width; k++) {
                        octet = raw[rawPos + k] & 0xff;
                        if ((octet & 0xC0) != 0x80) {
                            return readerError("invalid trailing UTF-8 octet (value: " + octet + ")");
                        }
                        value = (value << 6) + (octet & 0x3F);
                    }
                    boolean lengthOk = width == 1 || width == 2 && value >= 0x80 || width == 3 && value >= 0x800
                            || width == 4 && value >= 0x10000;
                    if (!lengthOk) {
                        return readerError("invalid length of a UTF-8 sequence");
                    }
                    if (value >= 0xD800 && value <= 0xDFFF || value > 0x10FFFF) {
                        return readerError("invalid Unicode character (value: " + value + ")");
                    }
                } else {
                    int low = encoding == UTF16LE ? 0 : 1;
                    int high = encoding == UTF16LE ? 1 : 0;
                    if (rawUnread < 2) {
                        if (eof) {
                            return readerError("incomplete UTF-16 character");
                        }
                        break inner;
                    }
                    value = (raw[rawPos + low] & 0xff) + ((raw[rawPos + high] & 0xff) << 8);
                    if ((value & 0xFC00) == 0xDC00) {
                        return readerError("unexpected low surrogate area (value: " + value + ")");
                    }
                    if ((value & 0xFC00) == 0xD800) {
                        width = 4;
                        if (rawUnread < 4) {
                            if (eof) {
                                return readerError("incomplete UTF-16 surrogate pair");
                            }
                            break inner;
                        }
                        int value2 = (raw[rawPos + low + 2] & 0xff) + ((raw[rawPos + high + 2] & 0xff) << 8);
                        if ((value2 & 0xFC00) != 0xDC00) {
                            return readerError("expected low surrogate area (value: " + value2 + ")");
                        }
                        value = 0x10000 + ((value & 0x3FF) << 10) + (value2 & 0x3FF);
                    } else {
                        width = 2;
                    }
                }
                boolean allowed = value == 0x09 || value == 0x0A || value == 0x0D
                        || value >= 0x20 && value <= 0x7E
                        || value >= 0x7F && value <= 0x9F
                        || value >= 0xA0 && value <= 0xD7FF
                        || value >= 0xE000 && value <= 0xFFFD
                        || value >= 0x10000 && value <= 0x10FFFF;
                if (!allowed) {
                    return readerError("control characters are not allowed (value: " + value + ")");
                }
                rawPos += width;
                offset += width;
                if (value <= 0x7F) {
                    buffer[bufLen++] = (byte) value;
                } else if (value <= 0x7FF) {
                    buffer[bufLen++] = (byte) (0xC0 + (value >> 6));
                    buffer[bufLen++] = (byte) (0x80 + (value & 0x3F));
                } else if (value <= 0xFFFF) {
                    buffer[bufLen++] = (byte) (0xE0 + (value >> 12));
                    buffer[bufLen++] = (byte) (0x80 + ((value >> 6) & 0x3F));
                    buffer[bufLen++] = (byte) (0x80 + (value & 0x3F));
                } else {
                    buffer[bufLen++] = (byte) (0xF0 + (value >> 18));
                    buffer[bufLen++] = (byte) (0x80 + ((value >> 12) & 0x3F));
                    buffer[bufLen++] = (byte) (0x80 + ((value >> 6) & 0x3F));
                    buffer[bufLen++] = (byte) (0x80 + (value & 0x3F));
                }
                unread++;
            }
            if (eof) {
                buffer[bufLen++] = 0;
                unread++;
                break;
            }
        }
        while (bufLen < length) {
            buffer[bufLen++] = 0;
        }
        bufferLen = bufLen;
        return null;
    }

    /** "if parser.unread < n { if err := parser.updateBuffer(n); err != nil { return err } }". */
    private void need(int n) {
        if (unread < n) {
            Error e = updateBuffer(n);
            if (e != null) {
                throw e;
            }
        }
    }

    // ---- character classes (scanner.go) ----------------------------------------------------------------------

    private int b(int i) {
        return buffer[i] & 0xff;
    }

    private int cur() {
        return buffer[bufferPos] & 0xff;
    }

    private boolean isAlpha(int i) {
        int c = b(i);
        return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' || c == '-';
    }

    private boolean isFlowIndicator(int i) {
        int c = b(i);
        return c == '[' || c == ']' || c == '{' || c == '}' || c == ',';
    }

    private boolean isAnchorChar(int i) {
        if (b(i) == ':') {
            return false;
        }
        return isPrintable(i) && !isLineBreak(i) && !isBlank(i) && !isBOM(i) && !isFlowIndicator(i) && b(i) <= 0x7F;
    }

    private boolean isTagURIChar(int i, boolean verbatim) {
        if (isAlpha(i)) {
            return true;
        }
        switch (b(i)) {
            case ';', '/', '?', ':', '@', '&', '=', '+', '$', '.', '!', '~', '*', '\'', '(', ')', '%':
                return true;
            case ',', '[', ']', '{', '}':
                return verbatim;
            default:
                return false;
        }
    }

    private boolean isDigit(int i) {
        return b(i) >= '0' && b(i) <= '9';
    }

    private int asDigit(int i) {
        return b(i) - '0';
    }

    private boolean isHex(int i) {
        int c = b(i);
        return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f';
    }

    private int asHex(int i) {
        int c = b(i);
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c - '0';
    }

    private boolean isPrintable(int i) {
        int c = b(i);
        return c == 0x0A || c >= 0x20 && c <= 0x7E || c == 0xC2 && b(i + 1) >= 0xA0 || c > 0xC2 && c < 0xED
                || c == 0xED && b(i + 1) < 0xA0 || c == 0xEE
                || c == 0xEF && !(b(i + 1) == 0xBB && b(i + 2) == 0xBF)
                        && !(b(i + 1) == 0xBF && (b(i + 2) == 0xBE || b(i + 2) == 0xBF));
    }

    private boolean isZeroChar(int i) {
        return b(i) == 0;
    }

    /** Go's isBOM looks at the start of the buffer, whatever i is. */
    private boolean isBOM(int i) {
        return b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF;
    }

    private boolean isSpace(int i) {
        return b(i) == ' ';
    }

    private boolean isTab(int i) {
        return b(i) == '\t';
    }

    private boolean isBlank(int i) {
        return b(i) == ' ' || b(i) == '\t';
    }

    private boolean isLineBreak(int i) {
        int c = b(i);
        return c == '\r' || c == '\n' || c == 0xC2 && b(i + 1) == 0x85
                || c == 0xE2 && b(i + 1) == 0x80 && (b(i + 2) == 0xA8 || b(i + 2) == 0xA9);
    }

    private boolean isCRLF(int i) {
        return b(i) == '\r' && b(i + 1) == '\n';
    }

    private boolean isBreakOrZero(int i) {
        return isLineBreak(i) || b(i) == 0;
    }

    private boolean isBlankOrZero(int i) {
        return isBlank(i) || isBreakOrZero(i);
    }

    private boolean isEndOfScalarInFlowContentChar(int i) {
        switch (b(i)) {
            case ',', '[', ']', '{', '}':
                return true;
            case '?':
                return isBlankOrZero(i + 1);
            case ':':
                return b(i + 1) == ' ' || b(i + 1) == ',' || b(i + 1) == ']' || b(i + 1) == '}';
            default:
                return false;
        }
    }

    // ---- position helpers ------------------------------------------------------------------------------------

    private void skip() {
        if (!isBlank(bufferPos)) {
            newlines = 0;
        }
        markIndex++;
        markColumn++;
        unread--;
        bufferPos += Utf8.sequenceLength(cur());
    }

    private void skipLine() {
        if (isCRLF(bufferPos)) {
            markIndex += 2;
            markColumn = 1;
            markLine++;
            unread -= 2;
            bufferPos += 2;
            newlines++;
        } else if (isLineBreak(bufferPos)) {
            markIndex++;
            markColumn = 1;
            markLine++;
            unread--;
            bufferPos += Utf8.sequenceLength(cur());
            newlines++;
        }
    }

    private void read(Bytes s) {
        if (!isBlank(bufferPos)) {
            newlines = 0;
        }
        int w = Utf8.sequenceLength(cur());
        if (w == 0) {
            throw new IllegalStateException("invalid character sequence");
        }
        for (int k = 0; k < w; k++) {
            s.add(buffer[bufferPos + k]);
        }
        bufferPos += w;
        markIndex++;
        markColumn++;
        unread--;
    }

    private void readLine(Bytes s) {
        int pos = bufferPos;
        if (b(pos) == '\r' && b(pos + 1) == '\n') {
            s.add('\n');
            bufferPos += 2;
            markIndex++;
            unread--;
        } else if (b(pos) == '\r' || b(pos) == '\n') {
            s.add('\n');
            bufferPos += 1;
        } else if (b(pos) == 0xC2 && b(pos + 1) == 0x85) {
            s.add('\n');
            bufferPos += 2;
        } else if (b(pos) == 0xE2 && b(pos + 1) == 0x80 && (b(pos + 2) == 0xA8 || b(pos + 2) == 0xA9)) {
            s.add(b(pos));
            s.add(b(pos + 1));
            s.add(b(pos + 2));
            bufferPos += 3;
        } else {
            return;
        }
        markIndex++;
        markColumn = 1;
        markLine++;
        unread--;
        newlines++;
    }

    // =========================================================================================================
    // Scanner (scanner.go)
    // =========================================================================================================

    private void fetchMoreTokens() {
        while (true) {
            if (tokensHead < tokens.size() - 2) {
                int firstKey = 0;
                boolean found = false;
                if (!simpleKeyStack.isEmpty()) {
                    firstKey = simpleKeyStack.get(0).tokenNumber;
                    found = true;
                } else if (simpleKeyPossible) {
                    firstKey = simpleKey.tokenNumber;
                    found = true;
                }
                if (!found) {
                    break;
                } else if (tokensParsed != firstKey) {
                    break;
                }
            }
            fetchNextToken();
        }
        tokenAvailable = true;
    }

    private void fetchNextToken() {
        need(1);
        if (!streamStartProduced) {
            fetchStreamStart();
            return;
        }
        Mark scanMark = mark();
        scanToNextToken();
        unrollIndent(markColumn, scanMark);
        need(4);
        if (isZeroChar(bufferPos)) {
            fetchStreamEnd();
            return;
        }
        if (markColumn == 1 && cur() == '%') {
            fetchDirective();
            return;
        }
        int pos = bufferPos;
        if (atDocumentIndicator('-')) {
            fetchDocumentIndicator(TokenType.DOCUMENT_START);
            return;
        }
        if (atDocumentIndicator('.')) {
            fetchDocumentIndicator(TokenType.DOCUMENT_END);
            return;
        }
        Mark commentMark = mark();
        if (!tokens.isEmpty() && (flowLevel == 0 && b(pos) == ':' || flowLevel > 0 && b(pos) == ',')) {
            commentMark = tokens.get(tokens.size() - 1).start;
        }
        dispatchToken();
        // The deferred line-comment scan runs only when the token was fetched without error.
        if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).type == TokenType.BLOCK_ENTRY) {
            return;
        }
        scanLineComment(commentMark);
    }

    private void dispatchToken() {
        int c = cur();
        if (c == '[') {
            fetchFlowCollectionStart(TokenType.FLOW_SEQUENCE_START);
            return;
        }
        if (c == '{') {
            fetchFlowCollectionStart(TokenType.FLOW_MAPPING_START);
            return;
        }
        if (c == ']') {
            fetchFlowCollectionEnd(TokenType.FLOW_SEQUENCE_END);
            return;
        }
        if (c == '}') {
            fetchFlowCollectionEnd(TokenType.FLOW_MAPPING_END);
            return;
        }
        if (c == ',') {
            fetchFlowEntry();
            return;
        }
        if (c == '-' && isBlankOrZero(bufferPos + 1)) {
            fetchBlockEntry();
            return;
        }
        if (c == '?' && isBlankOrZero(bufferPos + 1)) {
            fetchKey();
            return;
        }
        if (c == ':' && (flowLevel > 0 && !isFlowSequence() || isBlankOrZero(bufferPos + 1))) {
            fetchValue();
            return;
        }
        if (c == '*') {
            fetchAnchor(TokenType.ALIAS);
            return;
        }
        if (c == '&') {
            fetchAnchor(TokenType.ANCHOR);
            return;
        }
        if (c == '!') {
            fetchTag();
            return;
        }
        if (c == '|' && flowLevel == 0) {
            fetchBlockScalar(true);
            return;
        }
        if (c == '>' && flowLevel == 0) {
            fetchBlockScalar(false);
            return;
        }
        if (c == '\'') {
            fetchFlowScalar(true);
            return;
        }
        if (c == '"') {
            fetchFlowScalar(false);
            return;
        }
        boolean indicator = isBlankOrZero(bufferPos) || c == '-' || c == '?' || c == ':' || c == ',' || c == '['
                || c == ']' || c == '{' || c == '}' || c == '#' || c == '&' || c == '*' || c == '!' || c == '|'
                || c == '>' || c == '\'' || c == '"' || c == '%' || c == '@' || c == '`';
        if (!indicator || c == '-' && !isBlank(bufferPos + 1)
                || (c == '?' || c == ':') && !isBlankOrZero(bufferPos + 1)) {
            fetchPlainScalar();
            return;
        }
        throw scannerError("while scanning for the next token", mark(),
                "found character that cannot start any token", mark());
    }

    private boolean isFlowSequence() {
        if (tokens.isEmpty()) {
            return false;
        }
        TokenType t = tokens.get(tokens.size() - 1).type;
        return t == TokenType.FLOW_ENTRY || t == TokenType.FLOW_SEQUENCE_START;
    }

    private void insertToken(int pos, Token token) {
        if (pos < 0) {
            tokens.add(token);
        } else {
            tokens.add(tokensHead + pos, token);
        }
    }

    private void fetchAnchor(TokenType type) {
        saveSimpleKey();
        simpleKeyAllowed = false;
        insertToken(-1, scanAnchor(type));
    }

    private void fetchBlockEntry() {
        if (flowLevel == 0) {
            if (!simpleKeyAllowed) {
                throw scannerError(null, null, "block sequence entries are not allowed in this context", mark());
            }
            rollIndent(markColumn, -1, TokenType.BLOCK_SEQUENCE_START, mark());
        }
        removeSimpleKey();
        simpleKeyAllowed = true;
        Mark start = mark();
        skip();
        insertToken(-1, new Token(TokenType.BLOCK_ENTRY, start, mark()));
    }

    private void fetchBlockScalar(boolean literal) {
        removeSimpleKey();
        simpleKeyAllowed = true;
        insertToken(-1, scanBlockScalar(literal));
    }

    private void fetchDirective() {
        unrollIndent(-1, mark());
        removeSimpleKey();
        simpleKeyAllowed = false;
        insertToken(-1, scanDirective());
    }

    private void fetchDocumentIndicator(TokenType type) {
        unrollIndent(-1, mark());
        removeSimpleKey();
        simpleKeyAllowed = false;
        Mark start = mark();
        skip();
        skip();
        skip();
        insertToken(-1, new Token(type, start, mark()));
    }

    private void fetchFlowCollectionEnd(TokenType type) {
        removeSimpleKey();
        decreaseFlowLevel();
        simpleKeyAllowed = false;
        Mark start = mark();
        skip();
        insertToken(-1, new Token(type, start, mark()));
    }

    private void fetchFlowCollectionStart(TokenType type) {
        saveSimpleKey();
        increaseFlowLevel();
        simpleKeyAllowed = true;
        Mark start = mark();
        skip();
        insertToken(-1, new Token(type, start, mark()));
    }

    private void fetchFlowEntry() {
        removeSimpleKey();
        simpleKeyAllowed = true;
        Mark start = mark();
        skip();
        insertToken(-1, new Token(TokenType.FLOW_ENTRY, start, mark()));
    }

    private void fetchFlowScalar(boolean single) {
        saveSimpleKey();
        simpleKeyAllowed = false;
        insertToken(-1, scanFlowScalar(single));
    }

    private void fetchKey() {
        if (flowLevel == 0) {
            if (!simpleKeyAllowed) {
                throw scannerError(null, null, "mapping keys are not allowed in this context", mark());
            }
            rollIndent(markColumn, -1, TokenType.BLOCK_MAPPING_START, mark());
        }
        removeSimpleKey();
        simpleKeyAllowed = flowLevel == 0;
        Mark start = mark();
        skip();
        insertToken(-1, new Token(TokenType.KEY, start, mark()));
    }

    private void fetchPlainScalar() {
        saveSimpleKey();
        simpleKeyAllowed = false;
        insertToken(-1, scanPlainScalar());
    }

    private void fetchStreamEnd() {
        if (markColumn != 1) {
            markColumn = 1;
            markLine++;
        }
        unrollIndent(-1, mark());
        removeSimpleKey();
        simpleKey = new SimpleKey();
        simpleKeyStack.clear();
        simpleKeyAllowed = false;
        insertToken(-1, new Token(TokenType.STREAM_END, mark(), mark()));
    }

    private void fetchStreamStart() {
        indent = -1;
        simpleKey = new SimpleKey();
        simpleKeyStack.clear();
        simpleKeyAllowed = true;
        streamStartProduced = true;
        insertToken(-1, new Token(TokenType.STREAM_START, mark(), mark()));
    }

    private void fetchTag() {
        saveSimpleKey();
        simpleKeyAllowed = false;
        insertToken(-1, scanTag());
    }

    private void fetchValue() {
        SimpleKey sk = simpleKey;
        if (simpleKeyPossible && sk.mark.line() == markLine) {
            Token token = new Token(TokenType.KEY, sk.mark, sk.mark);
            insertToken(sk.tokenNumber - tokensParsed, token);
            rollIndent(sk.mark.column(), sk.tokenNumber, TokenType.BLOCK_MAPPING_START, sk.mark);
            simpleKeyPossible = false;
            sk.required = false;
            simpleKeyAllowed = false;
        } else {
            if (flowLevel == 0) {
                if (!simpleKeyAllowed) {
                    throw scannerError(null, null, "mapping values are not allowed in this context", mark());
                }
                rollIndent(markColumn, -1, TokenType.BLOCK_MAPPING_START, mark());
            }
            simpleKeyAllowed = flowLevel == 0;
        }
        Mark start = mark();
        skip();
        insertToken(-1, new Token(TokenType.VALUE, start, mark()));
    }

    private Token scanAnchor(TokenType type) {
        Bytes s = new Bytes();
        Mark start = mark();
        skip();
        need(1);
        while (isAnchorChar(bufferPos)) {
            read(s);
            need(1);
        }
        Mark end = mark();
        int c = cur();
        if (s.len == 0 || !(isBlankOrZero(bufferPos) || c == '?' || c == ':' || c == ',' || c == ']' || c == '}'
                || c == '%' || c == '@' || c == '`')) {
            String context = type == TokenType.ANCHOR ? "while scanning an anchor" : "while scanning an alias";
            throw scannerError(context, start, "did not find expected alphabetic or numeric character", mark());
        }
        Token t = new Token(type, start, end);
        t.value = s.toArray();
        return t;
    }

    private Token scanBlockScalar(boolean literal) {
        Mark start = mark();
        skip();
        need(1);
        int chomping = 0;
        int increment = 0;
        if (cur() == '+' || cur() == '-') {
            chomping = cur() == '+' ? 1 : -1;
            skip();
            need(1);
            if (isDigit(bufferPos)) {
                if (cur() == '0') {
                    throw scannerError("while scanning a block scalar", start,
                            "found an indentation indicator equal to 0", mark());
                }
                increment = asDigit(bufferPos);
                skip();
            }
        } else if (isDigit(bufferPos)) {
            if (cur() == '0') {
                throw scannerError("while scanning a block scalar", start,
                        "found an indentation indicator equal to 0", mark());
            }
            increment = asDigit(bufferPos);
            skip();
            need(1);
            if (cur() == '+' || cur() == '-') {
                chomping = cur() == '+' ? 1 : -1;
                skip();
            }
        }
        need(1);
        while (isBlank(bufferPos)) {
            skip();
            need(1);
        }
        if (cur() == '#') {
            scanLineComment(start);
            while (!isBreakOrZero(bufferPos)) {
                skip();
                need(1);
            }
        }
        if (!isBreakOrZero(bufferPos)) {
            throw scannerError("while scanning a block scalar", start, "did not find expected comment or line break",
                    mark());
        }
        if (isLineBreak(bufferPos)) {
            need(2);
            skipLine();
        }
        Mark[] end = {mark()};
        int[] ind = {0};
        if (increment > 0) {
            ind[0] = indent >= 0 ? indent + increment : increment + 1;
        }
        Bytes s = new Bytes();
        Bytes leadingBreak = new Bytes();
        Bytes trailingBreaks = new Bytes();
        scanBlockScalarBreaks(ind, trailingBreaks, start, end);
        need(1);
        boolean leadingBlank = false;
        boolean trailingBlank;
        while (markColumn == ind[0] && !isZeroChar(bufferPos)) {
            trailingBlank = isBlank(bufferPos);
            if (!literal && !leadingBlank && !trailingBlank && leadingBreak.len > 0 && leadingBreak.at(0) == '\n') {
                if (trailingBreaks.len == 0) {
                    s.add(' ');
                }
            } else {
                s.addAll(leadingBreak);
            }
            leadingBreak.clear();
            s.addAll(trailingBreaks);
            trailingBreaks.clear();
            leadingBlank = isBlank(bufferPos);
            while (!isBreakOrZero(bufferPos)) {
                read(s);
                need(1);
            }
            need(2);
            readLine(leadingBreak);
            scanBlockScalarBreaks(ind, trailingBreaks, start, end);
        }
        if (chomping != -1) {
            s.addAll(leadingBreak);
        }
        if (chomping == 1) {
            s.addAll(trailingBreaks);
        }
        Token t = new Token(TokenType.SCALAR, start, end[0]);
        t.value = s.toArray();
        t.style = literal ? ScalarStyle.LITERAL : ScalarStyle.FOLDED;
        return t;
    }

    private void scanBlockScalarBreaks(int[] ind, Bytes breaks, Mark start, Mark[] end) {
        end[0] = mark();
        int maxIndent = 0;
        while (true) {
            need(1);
            while ((ind[0] == 0 || markColumn < ind[0]) && isSpace(bufferPos)) {
                skip();
                need(1);
            }
            if (markColumn > maxIndent) {
                maxIndent = markColumn;
            }
            if ((ind[0] == 0 || markColumn < ind[0]) && isTab(bufferPos)) {
                throw scannerError("while scanning a block scalar", start,
                        "found a tab character where an indentation space is expected", mark());
            }
            if (!isLineBreak(bufferPos)) {
                break;
            }
            need(2);
            readLine(breaks);
            end[0] = mark();
        }
        if (ind[0] == 0) {
            ind[0] = maxIndent;
            if (ind[0] < indent + 1) {
                ind[0] = indent + 1;
            }
            if (ind[0] < 1) {
                ind[0] = 1;
            }
        }
    }

    private void scanComments(Mark scanMarkIn) {
        Mark scanMark = scanMarkIn;
        Token token = tokens.get(tokens.size() - 1);
        if (token.type == TokenType.FLOW_ENTRY && tokens.size() > 1) {
            token = tokens.get(tokens.size() - 2);
        }
        Mark tokenMark = token.start;
        Mark startMark = new Mark(0, 0, 0);
        int nextIndent = Math.max(indent, 0);
        boolean recentEmpty = false;
        boolean firstEmpty = newlines <= 1;
        int line = markLine;
        int column = markColumn;
        Bytes text = new Bytes();
        int footLine = -1;
        if (scanMark.line() > 0) {
            footLine = markLine - newlines + 1;
            if (newlines == 0 && markColumn > 1) {
                footLine++;
            }
        }
        int peek = 0;
        for (; peek < 512; peek++) {
            if (unread < peek + 1) {
                if (updateBuffer(peek + 1) != null) {
                    break;
                }
            }
            column++;
            if (isBlank(bufferPos + peek)) {
                continue;
            }
            int c = b(bufferPos + peek);
            boolean closeFlow = flowLevel > 0 && (c == ']' || c == '}');
            if (closeFlow || isBreakOrZero(bufferPos + peek)) {
                if (closeFlow || !recentEmpty) {
                    if (closeFlow || firstEmpty && (startMark.line() == footLine && token.type != TokenType.VALUE
                            || startMark.column() - 1 < nextIndent)) {
                        if (text.len > 0) {
                            if (startMark.column() - 1 < nextIndent) {
                                tokenMark = startMark;
                            }
                            Comment cm = new Comment(scanMark, tokenMark, startMark,
                                    new Mark(markIndex + peek, line, column));
                            cm.foot = text.toArray();
                            comments.add(cm);
                            scanMark = new Mark(markIndex + peek, line, column);
                            tokenMark = scanMark;
                            text = new Bytes();
                        }
                    } else {
                        if (text.len > 0 && b(bufferPos + peek) != 0) {
                            text.add('\n');
                        }
                    }
                }
                if (!isLineBreak(bufferPos + peek)) {
                    break;
                }
                firstEmpty = false;
                recentEmpty = true;
                column = 1;
                line++;
                continue;
            }
            if (text.len > 0 && (closeFlow || column - 1 < nextIndent && column != startMark.column())) {
                Comment cm = new Comment(scanMark, tokenMark, startMark, new Mark(markIndex + peek, line, column));
                cm.foot = text.toArray();
                comments.add(cm);
                scanMark = new Mark(markIndex + peek, line, column);
                tokenMark = scanMark;
                text = new Bytes();
            }
            if (b(bufferPos + peek) != '#') {
                break;
            }
            if (text.len == 0) {
                startMark = new Mark(markIndex + peek, line, column);
            } else {
                text.add('\n');
            }
            recentEmpty = false;
            int seen = markIndex + peek;
            while (true) {
                need(1);
                if (isBreakOrZero(bufferPos)) {
                    if (markIndex >= seen) {
                        break;
                    }
                    need(2);
                    skipLine();
                } else if (markIndex >= seen) {
                    read(text);
                } else {
                    skip();
                }
            }
            peek = 0;
            column = 1;
            line = markLine;
            nextIndent = Math.max(indent, 0);
        }
        if (text.len > 0) {
            Comment cm = new Comment(scanMark, startMark, startMark, new Mark(markIndex + peek - 1, line, column));
            cm.head = text.toArray();
            comments.add(cm);
        }
    }

    private Token scanDirective() {
        Mark start = mark();
        skip();
        byte[] name = scanDirectiveName(start);
        Token token;
        String n = new String(name, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (n.equals("YAML")) {
            int[] mm = scanVersionDirectiveValue(start);
            token = new Token(TokenType.VERSION_DIRECTIVE, start, mark());
            token.major = mm[0];
            token.minor = mm[1];
        } else if (n.equals("TAG")) {
            byte[][] hp = scanTagDirectiveValue(start);
            token = new Token(TokenType.TAG_DIRECTIVE, start, mark());
            token.value = hp[0];
            token.prefix = hp[1];
        } else {
            throw scannerError("while scanning a directive", start, "found unknown directive name", mark());
        }
        need(1);
        while (isBlank(bufferPos)) {
            skip();
            need(1);
        }
        if (cur() == '#') {
            while (!isBreakOrZero(bufferPos)) {
                skip();
                need(1);
            }
        }
        if (!isBreakOrZero(bufferPos)) {
            throw scannerError("while scanning a directive", start, "did not find expected comment or line break",
                    mark());
        }
        if (isLineBreak(bufferPos)) {
            need(2);
            skipLine();
        }
        return token;
    }

    private byte[] scanDirectiveName(Mark start) {
        need(1);
        Bytes s = new Bytes();
        while (isAlpha(bufferPos)) {
            read(s);
            need(1);
        }
        if (s.len == 0) {
            throw scannerError("while scanning a directive", start, "could not find expected directive name", mark());
        }
        if (!isBlankOrZero(bufferPos)) {
            throw scannerError("while scanning a directive", start, "found unexpected non-alphabetical character",
                    mark());
        }
        return s.toArray();
    }

    private Token scanFlowScalar(boolean single) {
        Mark start = mark();
        skip();
        Bytes s = new Bytes();
        Bytes leadingBreak = new Bytes();
        Bytes trailingBreaks = new Bytes();
        Bytes whitespaces = new Bytes();
        while (true) {
            need(4);
            if (atDocumentIndicator('-') || atDocumentIndicator('.')) {
                throw scannerError("while scanning a quoted scalar", start, "found unexpected document indicator",
                        mark());
            }
            if (isZeroChar(bufferPos)) {
                throw scannerError("while scanning a quoted scalar", start, "found unexpected end of stream", mark());
            }
            boolean leadingBlanks = false;
            while (!isBlankOrZero(bufferPos)) {
                if (single && cur() == '\'' && b(bufferPos + 1) == '\'') {
                    s.add('\'');
                    skip();
                    skip();
                } else if (single && cur() == '\'') {
                    break;
                } else if (!single && cur() == '"') {
                    break;
                } else if (!single && cur() == '\\' && isLineBreak(bufferPos + 1)) {
                    need(3);
                    skip();
                    skipLine();
                    leadingBlanks = true;
                    break;
                } else if (!single && cur() == '\\') {
                    int codeLength = 0;
                    switch (b(bufferPos + 1)) {
                        case '0' -> s.add(0);
                        case 'a' -> s.add(0x07);
                        case 'b' -> s.add(0x08);
                        case 't', '\t' -> s.add(0x09);
                        case 'n' -> s.add(0x0A);
                        case 'v' -> s.add(0x0B);
                        case 'f' -> s.add(0x0C);
                        case 'r' -> s.add(0x0D);
                        case 'e' -> s.add(0x1B);
                        case ' ' -> s.add(0x20);
                        case '"' -> s.add('"');
                        case '\'' -> s.add('\'');
                        case '\\' -> s.add('\\');
                        case 'N' -> {
                            s.add(0xC2);
                            s.add(0x85);
                        }
                        case '_' -> {
                            s.add(0xC2);
                            s.add(0xA0);
                        }
                        case 'L' -> {
                            s.add(0xE2);
                            s.add(0x80);
                            s.add(0xA8);
                        }
                        case 'P' -> {
                            s.add(0xE2);
                            s.add(0x80);
                            s.add(0xA9);
                        }
                        case 'x' -> codeLength = 2;
                        case 'u' -> codeLength = 4;
                        case 'U' -> codeLength = 8;
                        default -> throw scannerError("while scanning a quoted scalar", start,
                                "found unknown escape character", mark());
                    }
                    skip();
                    skip();
                    if (codeLength > 0) {
                        long value = 0;
                        need(codeLength);
                        for (int k = 0; k < codeLength; k++) {
                            if (!isHex(bufferPos + k)) {
                                throw scannerError("while scanning a quoted scalar", start,
                                        "did not find expected hexadecimal number", mark());
                            }
                            value = (value << 4) + asHex(bufferPos + k);
                        }
                        if (value >= 0xD800 && value <= 0xDFFF || value > 0x10FFFF) {
                            throw scannerError("while scanning a quoted scalar", start,
                                    "found invalid Unicode character escape code", mark());
                        }
                        int v = (int) value;
                        if (v <= 0x7F) {
                            s.add(v);
                        } else if (v <= 0x7FF) {
                            s.add(0xC0 + (v >> 6));
                            s.add(0x80 + (v & 0x3F));
                        } else if (v <= 0xFFFF) {
                            s.add(0xE0 + (v >> 12));
                            s.add(0x80 + ((v >> 6) & 0x3F));
                            s.add(0x80 + (v & 0x3F));
                        } else {
                            s.add(0xF0 + (v >> 18));
                            s.add(0x80 + ((v >> 12) & 0x3F));
                            s.add(0x80 + ((v >> 6) & 0x3F));
                            s.add(0x80 + (v & 0x3F));
                        }
                        for (int k = 0; k < codeLength; k++) {
                            skip();
                        }
                    }
                } else {
                    read(s);
                }
                need(2);
            }
            need(1);
            if (single ? cur() == '\'' : cur() == '"') {
                break;
            }
            leadingBlanks = consumeBlanks(leadingBlanks, whitespaces, leadingBreak, trailingBreaks, null, 0);
            if (leadingBlanks) {
                appendFolded(s, leadingBreak, trailingBreaks);
            } else {
                s.addAll(whitespaces);
                whitespaces.clear();
            }
        }
        skip();
        Token t = new Token(TokenType.SCALAR, start, mark());
        t.value = s.toArray();
        t.style = single ? ScalarStyle.SINGLE_QUOTED : ScalarStyle.DOUBLE_QUOTED;
        return t;
    }

    private void scanLineComment(Mark tokenMark) {
        if (newlines > 0) {
            return;
        }
        Mark startMark = new Mark(0, 0, 0);
        Bytes text = new Bytes();
        for (int peek = 0; peek < 512; peek++) {
            if (unread < peek + 1) {
                if (updateBuffer(peek + 1) != null) {
                    break;
                }
            }
            if (isBlank(bufferPos + peek)) {
                continue;
            }
            if (b(bufferPos + peek) == '#') {
                int seen = markIndex + peek;
                while (true) {
                    need(1);
                    if (isBreakOrZero(bufferPos)) {
                        if (markIndex >= seen) {
                            break;
                        }
                        need(2);
                        skipLine();
                    } else if (markIndex >= seen) {
                        if (text.len == 0) {
                            startMark = mark();
                        }
                        read(text);
                    } else {
                        skip();
                    }
                }
            }
            break;
        }
        if (text.len > 0) {
            Comment cm = new Comment(tokenMark, tokenMark, startMark, mark());
            cm.line = text.toArray();
            comments.add(cm);
        }
    }

    /** A "---" or "..." document marker at the start of a line. */
    private boolean atDocumentIndicator(char c) {
        return markColumn == 1 && b(bufferPos) == c && b(bufferPos + 1) == c && b(bufferPos + 2) == c
                && isBlankOrZero(bufferPos + 3);
    }

    /**
     * Consumes the blanks and line breaks inside a flow scalar: blanks before the first break are kept in
     * {@code whitespaces}, the first break in {@code leadingBreak}, later ones in {@code trailingBreaks}.
     * Returns whether a break was seen. With {@code plainStart} set (plain scalars), a tab in the indentation
     * of a continuation line (column below {@code ind}) is an error.
     */
    private boolean consumeBlanks(boolean leadingBlanks, Bytes whitespaces, Bytes leadingBreak, Bytes trailingBreaks,
            Mark plainStart, int ind) {
        while (isBlank(bufferPos) || isLineBreak(bufferPos)) {
            if (isBlank(bufferPos)) {
                if (plainStart != null && leadingBlanks && markColumn < ind && isTab(bufferPos)) {
                    throw scannerError("while scanning a plain scalar", plainStart,
                            "found a tab character that violates indentation", mark());
                }
                if (!leadingBlanks) {
                    read(whitespaces);
                } else {
                    skip();
                }
            } else {
                need(2);
                if (!leadingBlanks) {
                    whitespaces.clear();
                    readLine(leadingBreak);
                    leadingBlanks = true;
                } else {
                    readLine(trailingBreaks);
                }
            }
            need(1);
        }
        return leadingBlanks;
    }

    /** Line folding: a single break becomes a space, more breaks are kept less the first (a non-LF break stays). */
    private static void appendFolded(Bytes s, Bytes leadingBreak, Bytes trailingBreaks) {
        if (leadingBreak.len > 0 && leadingBreak.at(0) == '\n') {
            if (trailingBreaks.len == 0) {
                s.add(' ');
            } else {
                s.addAll(trailingBreaks);
            }
        } else {
            s.addAll(leadingBreak);
            s.addAll(trailingBreaks);
        }
        trailingBreaks.clear();
        leadingBreak.clear();
    }

    private Token scanPlainScalar() {
        Bytes s = new Bytes();
        Bytes leadingBreak = new Bytes();
        Bytes trailingBreaks = new Bytes();
        Bytes whitespaces = new Bytes();
        boolean leadingBlanks = false;
        int ind = indent + 1;
        Mark start = mark();
        Mark end = mark();
        while (true) {
            need(4);
            if (atDocumentIndicator('-') || atDocumentIndicator('.')) {
                break;
            }
            if (cur() == '#') {
                break;
            }
            while (!isBlankOrZero(bufferPos)) {
                if (cur() == ':' && isBlankOrZero(bufferPos + 1)
                        || flowLevel > 0 && isEndOfScalarInFlowContentChar(bufferPos)) {
                    break;
                }
                if (leadingBlanks || whitespaces.len > 0) {
                    if (leadingBlanks) {
                        appendFolded(s, leadingBreak, trailingBreaks);
                        leadingBlanks = false;
                    } else {
                        s.addAll(whitespaces);
                        whitespaces.clear();
                    }
                }
                read(s);
                end = mark();
                need(2);
            }
            if (!(isBlank(bufferPos) || isLineBreak(bufferPos))) {
                break;
            }
            need(1);
            leadingBlanks = consumeBlanks(leadingBlanks, whitespaces, leadingBreak, trailingBreaks, start, ind);
            if (flowLevel == 0 && markColumn < ind) {
                break;
            }
        }
        Token t = new Token(TokenType.SCALAR, start, end);
        t.value = s.toArray();
        t.style = ScalarStyle.PLAIN;
        if (leadingBlanks) {
            simpleKeyAllowed = true;
        }
        return t;
    }

    private Token scanTag() {
        byte[] handle;
        byte[] suffix;
        Mark start = mark();
        need(2);
        if (b(bufferPos + 1) == '<') {
            handle = new byte[0];
            skip();
            skip();
            suffix = scanTagURI(false, true, null, start);
            if (cur() != '>') {
                throw scannerError("while scanning a tag", start, "did not find the expected '>'", mark());
            }
            skip();
        } else {
            handle = scanTagHandle(false, start);
            if (handle[0] == '!' && handle.length > 1 && handle[handle.length - 1] == '!') {
                suffix = scanTagURI(false, false, null, start);
            } else {
                suffix = scanTagURI(false, false, handle, start);
                handle = new byte[] {'!'};
                if (suffix.length == 0) {
                    byte[] t = handle;
                    handle = suffix;
                    suffix = t;
                }
            }
        }
        need(1);
        if (!isBlankOrZero(bufferPos)) {
            throw scannerError("while scanning a tag", start, "did not find expected whitespace or line break",
                    mark());
        }
        Token t = new Token(TokenType.TAG, start, mark());
        t.value = handle;
        t.suffix = suffix;
        return t;
    }

    private byte[][] scanTagDirectiveValue(Mark start) {
        need(1);
        while (isBlank(bufferPos)) {
            skip();
            need(1);
        }
        byte[] handle = scanTagHandle(true, start);
        need(1);
        if (!isBlank(bufferPos)) {
            throw scannerError("while scanning a %TAG directive", start, "did not find expected whitespace", mark());
        }
        while (isBlank(bufferPos)) {
            skip();
            need(1);
        }
        byte[] prefix = scanTagURI(true, true, null, start);
        need(1);
        if (!isBlankOrZero(bufferPos)) {
            throw scannerError("while scanning a %TAG directive", start,
                    "did not find expected whitespace or line break", mark());
        }
        return new byte[][] {handle, prefix};
    }

    private Error tagError(boolean directive, Mark contextMark, String problem) {
        String context = directive ? "while parsing a %TAG directive" : "while parsing a tag";
        return scannerError(context, contextMark, problem, mark());
    }

    private byte[] scanTagHandle(boolean directive, Mark start) {
        need(1);
        if (cur() != '!') {
            throw tagError(directive, start, "did not find expected '!'");
        }
        Bytes s = new Bytes();
        read(s);
        need(1);
        while (isAlpha(bufferPos)) {
            read(s);
            need(1);
        }
        if (cur() == '!') {
            read(s);
        } else {
            if (directive && !(s.len == 1 && s.at(0) == '!')) {
                throw tagError(directive, start, "did not find expected '!'");
            }
        }
        return s.toArray();
    }

    private byte[] scanTagURI(boolean directive, boolean verbatim, byte[] head, Mark start) {
        Bytes s = new Bytes();
        boolean hasTag = head != null && head.length > 0;
        if (head != null && head.length > 1) {
            for (int i = 1; i < head.length; i++) {
                s.add(head[i]);
            }
        }
        need(1);
        while (isTagURIChar(bufferPos, verbatim)) {
            if (cur() == '%') {
                scanURIEscapes(directive, start, s);
            } else {
                read(s);
            }
            need(1);
            hasTag = true;
        }
        if (!verbatim) {
            int c = cur();
            if (!isBlankOrZero(bufferPos) && c >= 0x20 && c <= 0x7E) {
                throw tagError(directive, start, "found character '" + (char) c + "' that is not allowed in a YAML tag");
            }
        }
        if (!hasTag) {
            throw tagError(directive, start, "did not find expected tag URI");
        }
        return s.toArray();
    }

    private void scanToNextToken() {
        Mark scanMark = mark();
        while (true) {
            need(1);
            if (markColumn == 1 && isBOM(bufferPos)) {
                skip();
            }
            need(1);
            while (cur() == ' ' || (flowLevel > 0 || !simpleKeyAllowed) && cur() == '\t') {
                skip();
                need(1);
            }
            if (comments.size() > 0 && tokens.size() > 1) {
                Token tokenA = tokens.get(tokens.size() - 2);
                Token tokenB = tokens.get(tokens.size() - 1);
                Comment comment = comments.get(comments.size() - 1);
                if (tokenA.type == TokenType.BLOCK_SEQUENCE_START && tokenB.type == TokenType.BLOCK_ENTRY
                        && comment.line != null && comment.line.length > 0 && !isLineBreak(bufferPos)) {
                    comment.head = comment.line;
                    comment.line = null;
                    if (comment.startMark.line() == markLine - 1) {
                        comment.tokenMark = mark();
                    }
                }
            }
            if (cur() == '#') {
                scanComments(scanMark);
            }
            if (isLineBreak(bufferPos)) {
                need(2);
                skipLine();
                if (flowLevel == 0) {
                    simpleKeyAllowed = true;
                }
            } else {
                break;
            }
        }
    }

    private void scanURIEscapes(boolean directive, Mark start, Bytes s) {
        int w = 1024;
        while (w > 0) {
            need(3);
            if (!(cur() == '%' && isHex(bufferPos + 1) && isHex(bufferPos + 2))) {
                throw tagError(directive, start, "did not find URI escaped octet");
            }
            int octet = (asHex(bufferPos + 1) << 4) + asHex(bufferPos + 2);
            if (w == 1024) {
                w = Utf8.sequenceLength(octet);
                if (w == 0) {
                    throw tagError(directive, start, "found an incorrect leading UTF-8 octet");
                }
            } else {
                if ((octet & 0xC0) != 0x80) {
                    throw tagError(directive, start, "found an incorrect trailing UTF-8 octet");
                }
            }
            s.add(octet);
            skip();
            skip();
            skip();
            w--;
        }
    }

    private int scanVersionDirectiveNumber(Mark start) {
        need(1);
        int value = 0;
        int length = 0;
        while (isDigit(bufferPos)) {
            length++;
            if (length > 2) {
                throw scannerError("while scanning a %YAML directive", start, "found extremely long version number",
                        mark());
            }
            value = value * 10 + asDigit(bufferPos);
            skip();
            need(1);
        }
        if (length == 0) {
            throw scannerError("while scanning a %YAML directive", start, "did not find expected version number",
                    mark());
        }
        return value;
    }

    private int[] scanVersionDirectiveValue(Mark start) {
        need(1);
        while (isBlank(bufferPos)) {
            skip();
            need(1);
        }
        int major = scanVersionDirectiveNumber(start);
        if (cur() != '.') {
            throw scannerError("while scanning a %YAML directive", start,
                    "did not find expected digit or '.' character", mark());
        }
        skip();
        int minor = scanVersionDirectiveNumber(start);
        return new int[] {major, minor};
    }

    private void saveSimpleKey() {
        boolean required = flowLevel == 0 && indent == markColumn;
        if (simpleKeyAllowed) {
            removeSimpleKey();
            simpleKeyPossible = true;
            SimpleKey k = new SimpleKey();
            k.required = required;
            k.flowLevel = flowLevel;
            k.tokenNumber = tokensParsed + (tokens.size() - tokensHead);
            k.mark = mark();
            simpleKey = k;
        }
    }

    private void removeSimpleKey() {
        if (simpleKey.required) {
            throw scannerError("while scanning a simple key", simpleKey.mark, "could not find expected ':'", mark());
        }
        simpleKeyPossible = false;
    }

    private void increaseFlowLevel() {
        flowLevel++;
        if (flowLevel > MAX_DEPTH) {
            throw scannerError("while increasing flow level", simpleKey.mark,
                    "exceeded max depth of " + MAX_DEPTH, mark());
        }
        if (simpleKeyPossible) {
            simpleKeyStack.add(simpleKey);
        }
        simpleKey = new SimpleKey();
    }

    private void decreaseFlowLevel() {
        if (flowLevel > 0) {
            flowLevel--;
            if (simpleKeyStack.isEmpty()) {
                return;
            }
            int last = simpleKeyStack.size() - 1;
            if (simpleKeyStack.get(last).flowLevel == flowLevel) {
                simpleKey = simpleKeyStack.remove(last);
                simpleKeyPossible = true;
            }
        }
    }

    private void rollIndent(int column, int number, TokenType type, Mark m) {
        if (flowLevel > 0) {
            return;
        }
        if (indent < column) {
            indents.add(indent);
            indent = column;
            if (indents.size() > MAX_DEPTH) {
                throw scannerError("while increasing indent level", simpleKey.mark,
                        "exceeded max depth of " + MAX_DEPTH, mark());
            }
            Token token = new Token(type, m, m);
            if (number > -1) {
                number -= tokensParsed;
            }
            insertToken(number, token);
        }
    }

    private void unrollIndent(int column, Mark scanMark) {
        if (flowLevel > 0) {
            return;
        }
        Mark blockMark = new Mark(scanMark.index() - 1, scanMark.line(), scanMark.column());
        while (indent > column) {
            int stopIndex = blockMark.index();
            for (int i = comments.size() - 1; i >= 0; i--) {
                Comment comment = comments.get(i);
                if (comment.endMark.index() < stopIndex) {
                    break;
                }
                if (comment.startMark.column() == indent + 1) {
                    blockMark = comment.startMark;
                }
                stopIndex = comment.scanMark.index();
            }
            insertToken(-1, new Token(TokenType.BLOCK_END, blockMark, blockMark));
            indent = indents.remove(indents.size() - 1);
        }
    }

    // =========================================================================================================
    // Parser (parser.go)
    // =========================================================================================================

    /** The next event; throws {@link Error} for anything go-yaml refuses. */
    Event parse() {
        if (lastError != null) {
            throw lastError;
        }
        if (streamEndProduced || state == State.END) {
            return null;
        }
        try {
            return stateMachine();
        } catch (Error e) {
            lastError = e;
            throw e;
        }
    }

    private Event stateMachine() {
        return switch (state) {
            case STREAM_START -> parseStreamStart();
            case IMPLICIT_DOCUMENT_START -> parseDocumentStart(true);
            case DOCUMENT_START -> parseDocumentStart(false);
            case DOCUMENT_CONTENT -> parseDocumentContent();
            case DOCUMENT_END -> parseDocumentEnd();
            case BLOCK_NODE -> parseNode(true, false);
            case BLOCK_SEQUENCE_FIRST_ENTRY -> parseBlockSequenceEntry(true);
            case BLOCK_SEQUENCE_ENTRY -> parseBlockSequenceEntry(false);
            case INDENTLESS_SEQUENCE_ENTRY -> parseIndentlessSequenceEntry();
            case BLOCK_MAPPING_FIRST_KEY -> parseBlockMappingKey(true);
            case BLOCK_MAPPING_KEY -> parseBlockMappingKey(false);
            case BLOCK_MAPPING_VALUE -> parseBlockMappingValue();
            case FLOW_SEQUENCE_FIRST_ENTRY -> parseFlowSequenceEntry(true);
            case FLOW_SEQUENCE_ENTRY -> parseFlowSequenceEntry(false);
            case FLOW_SEQUENCE_ENTRY_MAPPING_KEY -> parseFlowSequenceEntryMappingKey();
            case FLOW_SEQUENCE_ENTRY_MAPPING_VALUE -> parseFlowSequenceEntryMappingValue();
            case FLOW_SEQUENCE_ENTRY_MAPPING_END -> parseFlowSequenceEntryMappingEnd();
            case FLOW_MAPPING_FIRST_KEY -> parseFlowMappingKey(true);
            case FLOW_MAPPING_KEY -> parseFlowMappingKey(false);
            case FLOW_MAPPING_VALUE -> parseFlowMappingValue(false);
            case FLOW_MAPPING_EMPTY_VALUE -> parseFlowMappingValue(true);
            case END -> throw new IllegalStateException("invalid parser state");
        };
    }

    private Token peekToken() {
        if (!tokenAvailable) {
            fetchMoreTokens();
        }
        Token token = tokens.get(tokensHead);
        unfoldComments(token);
        return token;
    }

    /** Consumes the comments up to the token, as go-yaml does (their text is dropped). */
    private void unfoldComments(Token token) {
        while (commentsHead < comments.size() && token.start.index() >= comments.get(commentsHead).tokenMark.index()) {
            Comment comment = comments.get(commentsHead);
            if (comment.head != null && comment.head.length > 0 && token.type == TokenType.BLOCK_END) {
                break; // no heads on ends: kept for a follow-up token
            }
            comments.set(commentsHead, new Comment(new Mark(0, 0, 0), new Mark(0, 0, 0), new Mark(0, 0, 0),
                    new Mark(0, 0, 0)));
            commentsHead++;
        }
    }

    private void skipToken() {
        tokenAvailable = false;
        tokensParsed++;
        streamEndProduced = tokens.get(tokensHead).type == TokenType.STREAM_END;
        tokensHead++;
    }

    private State popState() {
        return states.remove(states.size() - 1);
    }

    private Event parseStreamStart() {
        Token token = peekToken();
        if (token.type != TokenType.STREAM_START) {
            throw parserError(null, "did not find expected <stream-start>", token.start);
        }
        state = State.IMPLICIT_DOCUMENT_START;
        Event e = new Event(EventType.STREAM_START, token.start);
        skipToken();
        return e;
    }

    private Event parseDocumentStart(boolean implicit) {
        Token token = peekToken();
        while (token.type == TokenType.DOCUMENT_END) {
            skipToken();
            token = peekToken();
        }
        if (implicit && token.type != TokenType.VERSION_DIRECTIVE && token.type != TokenType.TAG_DIRECTIVE
                && token.type != TokenType.DOCUMENT_START && token.type != TokenType.STREAM_END) {
            processDirectives();
            states.add(State.DOCUMENT_END);
            state = State.BLOCK_NODE;
            return new Event(EventType.DOCUMENT_START, token.start);
        } else if (token.type != TokenType.STREAM_END) {
            Mark start = token.start;
            processDirectives();
            token = peekToken();
            if (token.type != TokenType.DOCUMENT_START) {
                throw parserError(null, "did not find expected <document start>", token.start);
            }
            states.add(State.DOCUMENT_END);
            state = State.DOCUMENT_CONTENT;
            Event e = new Event(EventType.DOCUMENT_START, start);
            skipToken();
            return e;
        } else {
            state = State.END;
            Event e = new Event(EventType.STREAM_END, token.start);
            skipToken();
            return e;
        }
    }

    private Event parseDocumentContent() {
        Token token = peekToken();
        if (token.type == TokenType.VERSION_DIRECTIVE || token.type == TokenType.TAG_DIRECTIVE
                || token.type == TokenType.DOCUMENT_START || token.type == TokenType.DOCUMENT_END
                || token.type == TokenType.STREAM_END) {
            state = popState();
            return emptyScalar(token.start);
        }
        return parseNode(true, false);
    }

    private Event parseDocumentEnd() {
        Token token = peekToken();
        Mark start = token.start;
        if (token.type == TokenType.DOCUMENT_END) {
            skipToken();
        }
        tagDirectives.clear();
        state = State.DOCUMENT_START;
        return new Event(EventType.DOCUMENT_END, start);
    }

    private void processDirectives() {
        boolean versionSeen = false;
        Token token = peekToken();
        while (token.type == TokenType.VERSION_DIRECTIVE || token.type == TokenType.TAG_DIRECTIVE) {
            if (token.type == TokenType.VERSION_DIRECTIVE) {
                if (versionSeen) {
                    throw parserError(null, "found duplicate %YAML directive", token.start);
                }
                if (token.major != 1 || token.minor != 1) {
                    throw parserError(null, "found incompatible YAML document", token.start);
                }
                versionSeen = true;
            } else {
                appendTagDirective(new TagDirective(token.value, token.prefix), false, token.start);
            }
            skipToken();
            token = peekToken();
        }
        for (TagDirective d : DEFAULT_TAG_DIRECTIVES) {
            appendTagDirective(d, true, token.start);
        }
    }

    private void appendTagDirective(TagDirective value, boolean allowDuplicates, Mark m) {
        for (TagDirective d : tagDirectives) {
            if (Arrays.equals(value.handle(), d.handle())) {
                if (allowDuplicates) {
                    return;
                }
                throw parserError(null, "found duplicate %TAG directive", m);
            }
        }
        tagDirectives.add(new TagDirective(value.handle().clone(), value.prefix().clone()));
    }

    private Event parseNode(boolean block, boolean indentlessSequence) {
        Token token = peekToken();
        if (token.type == TokenType.ALIAS) {
            state = popState();
            Event e = new Event(EventType.ALIAS, token.start);
            e.anchor = token.value;
            skipToken();
            return e;
        }
        Mark start = token.start;
        boolean tagToken = false;
        byte[] tagHandle = null;
        byte[] tagSuffix = null;
        byte[] anchor = null;
        Mark tagMark = null;
        if (token.type == TokenType.ANCHOR) {
            anchor = token.value;
            start = token.start;
            skipToken();
            token = peekToken();
            if (token.type == TokenType.TAG) {
                tagToken = true;
                tagHandle = token.value;
                tagSuffix = token.suffix;
                tagMark = token.start;
                skipToken();
                token = peekToken();
            }
        } else if (token.type == TokenType.TAG) {
            tagToken = true;
            tagHandle = token.value;
            tagSuffix = token.suffix;
            start = token.start;
            tagMark = token.start;
            skipToken();
            token = peekToken();
            if (token.type == TokenType.ANCHOR) {
                anchor = token.value;
                skipToken();
                token = peekToken();
            }
        }
        byte[] tag = null;
        if (tagToken) {
            if (tagHandle.length == 0) {
                tag = tagSuffix;
            } else {
                for (TagDirective d : tagDirectives) {
                    if (Arrays.equals(d.handle(), tagHandle)) {
                        tag = new byte[d.prefix().length + tagSuffix.length];
                        System.arraycopy(d.prefix(), 0, tag, 0, d.prefix().length);
                        System.arraycopy(tagSuffix, 0, tag, d.prefix().length, tagSuffix.length);
                        break;
                    }
                }
                if (tag == null || tag.length == 0) {
                    throw parserError("while parsing a node", "found undefined tag handle", tagMark);
                }
            }
        }
        if (indentlessSequence && token.type == TokenType.BLOCK_ENTRY) {
            state = State.INDENTLESS_SEQUENCE_ENTRY;
            return collectionStart(EventType.SEQUENCE_START, start, anchor, tag, false);
        }
        if (token.type == TokenType.SCALAR) {
            state = popState();
            Event e = new Event(EventType.SCALAR, start);
            e.anchor = anchor;
            e.tag = tag;
            e.value = token.value;
            e.scalarStyle = token.style;
            skipToken();
            return e;
        }
        if (token.type == TokenType.FLOW_SEQUENCE_START) {
            state = State.FLOW_SEQUENCE_FIRST_ENTRY;
            return collectionStart(EventType.SEQUENCE_START, start, anchor, tag, true);
        }
        if (token.type == TokenType.FLOW_MAPPING_START) {
            state = State.FLOW_MAPPING_FIRST_KEY;
            return collectionStart(EventType.MAPPING_START, start, anchor, tag, true);
        }
        if (block && token.type == TokenType.BLOCK_SEQUENCE_START) {
            state = State.BLOCK_SEQUENCE_FIRST_ENTRY;
            return collectionStart(EventType.SEQUENCE_START, start, anchor, tag, false);
        }
        if (block && token.type == TokenType.BLOCK_MAPPING_START) {
            state = State.BLOCK_MAPPING_FIRST_KEY;
            return collectionStart(EventType.MAPPING_START, start, anchor, tag, false);
        }
        if (anchor != null && anchor.length > 0 || tag != null && tag.length > 0) {
            state = popState();
            Event e = new Event(EventType.SCALAR, start);
            e.anchor = anchor;
            e.tag = tag;
            e.value = new byte[0];
            e.scalarStyle = ScalarStyle.PLAIN;
            return e;
        }
        throw parserError(block ? "while parsing a block node" : "while parsing a flow node",
                "did not find expected node content", token.start);
    }

    private static Event collectionStart(EventType type, Mark start, byte[] anchor, byte[] tag, boolean flow) {
        Event e = new Event(type, start);
        e.anchor = anchor;
        e.tag = tag;
        e.flow = flow;
        return e;
    }

    private Event parseBlockSequenceEntry(boolean first) {
        if (first) {
            Token token = peekToken();
            marks.add(token.start);
            skipToken();
        }
        Token token = peekToken();
        if (token.type == TokenType.BLOCK_ENTRY) {
            Mark m = token.end;
            skipToken();
            token = peekToken();
            if (token.type != TokenType.BLOCK_ENTRY && token.type != TokenType.BLOCK_END) {
                states.add(State.BLOCK_SEQUENCE_ENTRY);
                return parseNode(true, false);
            }
            state = State.BLOCK_SEQUENCE_ENTRY;
            return emptyScalar(m);
        }
        if (token.type == TokenType.BLOCK_END) {
            state = popState();
            marks.remove(marks.size() - 1);
            Event e = new Event(EventType.SEQUENCE_END, token.start);
            skipToken();
            return e;
        }
        Mark context = marks.remove(marks.size() - 1);
        throw parserError("while parsing a block collection (line " + context.line() + ")",
                "did not find expected '-' indicator", token.start);
    }

    private Event parseIndentlessSequenceEntry() {
        Token token = peekToken();
        if (token.type == TokenType.BLOCK_ENTRY) {
            Mark m = token.end;
            skipToken();
            token = peekToken();
            if (token.type != TokenType.BLOCK_ENTRY && token.type != TokenType.KEY && token.type != TokenType.VALUE
                    && token.type != TokenType.BLOCK_END) {
                states.add(State.INDENTLESS_SEQUENCE_ENTRY);
                return parseNode(true, false);
            }
            state = State.INDENTLESS_SEQUENCE_ENTRY;
            return emptyScalar(m);
        }
        state = popState();
        return new Event(EventType.SEQUENCE_END, token.start);
    }

    private Event parseBlockMappingKey(boolean first) {
        if (first) {
            Token token = peekToken();
            marks.add(token.start);
            skipToken();
        }
        Token token = peekToken();
        if (token.type == TokenType.KEY) {
            Mark m = token.end;
            skipToken();
            token = peekToken();
            if (token.type != TokenType.KEY && token.type != TokenType.VALUE && token.type != TokenType.BLOCK_END) {
                states.add(State.BLOCK_MAPPING_VALUE);
                return parseNode(true, true);
            }
            state = State.BLOCK_MAPPING_VALUE;
            return emptyScalar(m);
        }
        if (token.type == TokenType.BLOCK_END) {
            state = popState();
            marks.remove(marks.size() - 1);
            Event e = new Event(EventType.MAPPING_END, token.start);
            skipToken();
            return e;
        }
        Mark context = marks.remove(marks.size() - 1);
        throw parserError("while parsing a block mapping (line " + context.line() + ")", "did not find expected key",
                token.start);
    }

    private Event parseBlockMappingValue() {
        Token token = peekToken();
        if (token.type == TokenType.VALUE) {
            Mark m = token.end;
            skipToken();
            token = peekToken();
            if (token.type != TokenType.KEY && token.type != TokenType.VALUE && token.type != TokenType.BLOCK_END) {
                states.add(State.BLOCK_MAPPING_KEY);
                return parseNode(true, true);
            }
            state = State.BLOCK_MAPPING_KEY;
            return emptyScalar(m);
        }
        state = State.BLOCK_MAPPING_KEY;
        return emptyScalar(token.start);
    }

    /**
     * Opens a flow collection on its first entry and consumes the ',' before every later one; returns the
     * entry's first token (or the closing token).
     */
    private Token flowEntryStart(boolean first, TokenType end, String collection, char closer) {
        if (first) {
            Token token = peekToken();
            marks.add(token.start);
            skipToken();
        }
        Token token = peekToken();
        if (token.type != end && !first) {
            if (token.type != TokenType.FLOW_ENTRY) {
                Mark context = marks.remove(marks.size() - 1);
                throw parserError("while parsing a flow " + collection + " (line " + context.line() + ")",
                        "did not find expected ',' or '" + closer + "'", token.start);
            }
            skipToken();
            token = peekToken();
        }
        return token;
    }

    private Event parseFlowSequenceEntry(boolean first) {
        Token token = flowEntryStart(first, TokenType.FLOW_SEQUENCE_END, "sequence", ']');
        if (token.type != TokenType.FLOW_SEQUENCE_END) {
            if (token.type == TokenType.KEY) {
                state = State.FLOW_SEQUENCE_ENTRY_MAPPING_KEY;
                Event e = collectionStart(EventType.MAPPING_START, token.start, null, null, true);
                skipToken();
                return e;
            } else if (token.type != TokenType.FLOW_SEQUENCE_END) {
                states.add(State.FLOW_SEQUENCE_ENTRY);
                return parseNode(false, false);
            }
        }
        state = popState();
        marks.remove(marks.size() - 1);
        Event e = new Event(EventType.SEQUENCE_END, token.start);
        skipToken();
        return e;
    }

    private Event parseFlowSequenceEntryMappingKey() {
        Token token = peekToken();
        if (token.type != TokenType.VALUE && token.type != TokenType.FLOW_ENTRY
                && token.type != TokenType.FLOW_SEQUENCE_END) {
            states.add(State.FLOW_SEQUENCE_ENTRY_MAPPING_VALUE);
            return parseNode(false, false);
        }
        Mark m = token.end;
        skipToken();
        state = State.FLOW_SEQUENCE_ENTRY_MAPPING_VALUE;
        return emptyScalar(m);
    }

    private Event parseFlowSequenceEntryMappingValue() {
        Token token = peekToken();
        if (token.type == TokenType.VALUE) {
            skipToken();
            Token next = peekToken();
            if (next.type != TokenType.FLOW_ENTRY && next.type != TokenType.FLOW_SEQUENCE_END) {
                states.add(State.FLOW_SEQUENCE_ENTRY_MAPPING_END);
                return parseNode(false, false);
            }
        }
        state = State.FLOW_SEQUENCE_ENTRY_MAPPING_END;
        return emptyScalar(token.start);
    }

    private Event parseFlowSequenceEntryMappingEnd() {
        Token token = peekToken();
        state = State.FLOW_SEQUENCE_ENTRY;
        return new Event(EventType.MAPPING_END, token.start);
    }

    private Event parseFlowMappingKey(boolean first) {
        Token token = flowEntryStart(first, TokenType.FLOW_MAPPING_END, "mapping", '}');
        if (token.type != TokenType.FLOW_MAPPING_END) {
            if (token.type == TokenType.KEY) {
                skipToken();
                token = peekToken();
                if (token.type != TokenType.VALUE && token.type != TokenType.FLOW_ENTRY
                        && token.type != TokenType.FLOW_MAPPING_END) {
                    states.add(State.FLOW_MAPPING_VALUE);
                    return parseNode(false, false);
                }
                state = State.FLOW_MAPPING_VALUE;
                return emptyScalar(token.start);
            } else if (token.type != TokenType.FLOW_MAPPING_END) {
                states.add(State.FLOW_MAPPING_EMPTY_VALUE);
                return parseNode(false, false);
            }
        }
        state = popState();
        marks.remove(marks.size() - 1);
        Event e = new Event(EventType.MAPPING_END, token.start);
        skipToken();
        return e;
    }

    private Event parseFlowMappingValue(boolean empty) {
        Token token = peekToken();
        if (empty) {
            state = State.FLOW_MAPPING_KEY;
            return emptyScalar(token.start);
        }
        if (token.type == TokenType.VALUE) {
            skipToken();
            token = peekToken();
            if (token.type != TokenType.FLOW_ENTRY && token.type != TokenType.FLOW_MAPPING_END) {
                states.add(State.FLOW_MAPPING_KEY);
                return parseNode(false, false);
            }
        }
        state = State.FLOW_MAPPING_KEY;
        return emptyScalar(token.start);
    }

    private static Event emptyScalar(Mark m) {
        Event e = new Event(EventType.SCALAR, m);
        e.value = new byte[0];
        e.scalarStyle = ScalarStyle.PLAIN;
        return e;
    }
}
