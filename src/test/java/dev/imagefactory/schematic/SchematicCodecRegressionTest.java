package dev.imagefactory.schematic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefactory.errors.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Discrepancies found by differential testing against go-yaml v4 (go.yaml.in/yaml/v4 at v4.0.0-rc.6 driven
 * like the reference: Decoder with KnownFields, then Marshal of the Schematic), each pinned with the
 * reference's own answer: the canonical text it produced, or that it refused the input. Each case names the
 * go-yaml rule it checks.
 */
class SchematicCodecRegressionTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] b64(String s) {
        return Base64.getDecoder().decode(s);
    }

    private static void valid(byte[] input, String canonical) {
        CanonicalSchematic c = SchematicCodec.parse(input);
        assertEquals(canonical, c.canonicalText());
        assertEquals(SchematicCodec.sha256Hex(utf8(canonical)), c.id().value());
    }

    private static void invalid(byte[] input) {
        assertThrows(InvalidInputException.class, () -> SchematicCodec.parse(input));
    }

    private static byte[] nested(int depth) {
        return utf8("overlay: {image: i, name: n, options: {k: " + "[".repeat(depth) + "]".repeat(depth) + "}}\n");
    }

    /** A scalar with a non-core tag resolves to its plain text (go-yaml's fast path), so it fills a string field. */
    @Test
    void customTagOnStringField() {
        valid(utf8("overlay: {image: !foo a, name: ! 123}\n"),
                "overlay:\n    image: a\n    name: \"123\"\ncustomization: {}\n");
    }

    /** '!' and '!!map' on a scalar are not resolvable tags: the text is kept as a string. */
    @Test
    void nonSpecificAndMapTagOnScalar() {
        valid(utf8("customization: {extraKernelArgs: [!!map x, ! yes, !<!> ~]}\n"),
                "customization:\n    extraKernelArgs:\n        - x\n        - 'yes'\n        - \"~\"\n");
    }

    /** A %TAG handle expands to an unknown tag, whose scalar still decodes into a string. */
    @Test
    void tagDirectiveHandle() {
        valid(utf8("%TAG !e! tag:example.com,2000:\n---\ncustomization: {extraKernelArgs: [!e!x a]}\n"),
                "customization:\n    extraKernelArgs:\n        - a\n");
    }

    /** '<<' resolves to !!merge whose value is the Go string "<<"; it is kept in string fields. */
    @Test
    void mergeKeyTextInStringField() {
        valid(utf8("overlay:\n  image: <<\n  name: n\n"),
                "overlay:\n    image: '<<'\n    name: 'n'\ncustomization: {}\n");
    }

    /** An owner of '<<' is a non-empty owner. */
    @Test
    void mergeKeyTextAsOwner() {
        invalid(utf8("owner: <<\ncustomization: {}\n"));
    }

    /** !!merge on a scalar is not resolvable: the text goes into string fields. */
    @Test
    void explicitMergeTagOnStringField() {
        valid(utf8("customization:\n  extraKernelArgs: [!!merge 123, b]\n"),
                "customization:\n    extraKernelArgs:\n        - \"123\"\n        - b\n");
    }

    /** A !!merge scalar is never an interface{} value: the option entry is dropped. */
    @Test
    void explicitMergeTagDropsOptionValue() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    k: !!merge 123\n    j: x\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        j: x\ncustomization: {}\n");
    }

    /** !!binary uses Go's StdEncoding: unpadded base64 is refused. */
    @Test
    void binaryNeedsPadding() {
        invalid(utf8("overlay: {image: !!binary YQ, name: n}\n"));
    }

    /** Padded base64 decodes (line breaks ignored). */
    @Test
    void binaryPadded() {
        valid(utf8("overlay: {image: !!binary \"YW\\nJj\", name: n}\n"),
                "overlay:\n    image: abc\n    name: 'n'\ncustomization: {}\n");
    }

    /** A merge into an interface{} map fills the same map: the mapping's own keys stay. */
    @Test
    void mergeIntoInterfaceMapKeepsKeys() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    x: {<<: {a: 1}, b: 2}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        x:\n            a: 1\n"
                + "            b: 2\ncustomization: {}\n");
    }

    /** An explicit null in the mapping wins over the merged value. */
    @Test
    void mergeDoesNotOverrideNull() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    x: {a: ~, <<: {a: 1}}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        x:\n            a: null\n"
                + "customization: {}\n");
    }

    /** A string-keyed map stays map[string]any during the merge: merged int keys become strings. */
    @Test
    void mergeIntoStringMapConvertsKeys() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    x: {<<: {1: a}, b: b}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        x:\n            \"1\": a\n"
                + "            b: b\ncustomization: {}\n");
    }

    /** A map with a non-string key is map[any]any: merged keys keep their type. */
    @Test
    void mergeIntoGeneralMapKeepsIntKeys() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    x: {<<: {1: a}, 2: b}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        x:\n            1: a\n"
                + "            2: b\ncustomization: {}\n");
    }

    /** Merging a sequence of aliased maps into an interface{} map. */
    @Test
    void mergeSequenceIntoInterfaceMap() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    a: &k {x: 1}\n    b: {<<: [*k, {z: 3}], y: 2}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        a:\n            x: 1\n        b:\n"
                + "            x: 1\n            'y': 2\n            z: 3\ncustomization: {}\n");
    }

    /** A NaN map key is written with a null value (Go's MapIndex(NaN) finds nothing). */
    @Test
    void nanKeyValueIsNull() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    m: {.nan: x, a: b}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        m:\n            .nan: null\n"
                + "            a: b\ncustomization: {}\n");
    }

    /** Every NaN key is its own entry. */
    @Test
    void twoNanKeys() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    m: {.nan: x, .NaN: y, a: b}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        m:\n            .nan: null\n"
                + "            .nan: null\n            a: b\ncustomization: {}\n");
    }

    /** 0.0 and -0.0 are the same Go map key; the later key and value replace the earlier. */
    @Test
    void zeroAndNegativeZeroKeysCollide() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    m: {0.0: a, -0.0: b, x: c}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        m:\n            -0: b\n"
                + "            x: c\ncustomization: {}\n");
    }

    /** A space in a time layout matches a run of spaces. */
    @Test
    void timestampSpaceRun() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    k: 2001-12-14  21:59:43\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        k: 2001-12-14T21:59:43Z\n"
                + "customization: {}\n");
    }

    /** A string that would resolve to a timestamp is quoted. */
    @Test
    void timestampLikeStringIsQuoted() {
        valid(utf8("customization:\n  extraKernelArgs: ['2001-12-14  21:59:43']\n"),
                "customization:\n    extraKernelArgs:\n        - \"2001-12-14  21:59:43\"\n");
    }

    /** More than nine fractional digits are accepted and truncated (Go >= 1.20). */
    @Test
    void timestampLongFraction() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    k: 2001-01-01T00:00:00.123456789012Z\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        k: 2001-01-01T00:00:00.123456789Z\n"
                + "customization: {}\n");
    }

    /** Go compares time.Time map keys with their *Location pointer: every parsed non-zero offset is a new FixedZone, so equal instants stay two keys. */
    @Test
    void fixedZoneTimestampKeysAreDistinct() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    m: {2001-12-14t21:59:43-05:00: a, 2001-12-14T21:59:43-05:00: a}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        m:\n"
                + "            2001-12-14T21:59:43-05:00: a\n            2001-12-14T21:59:43-05:00: a\n"
                + "customization: {}\n");
    }

    /** 'Z' gives UTC but '+00:00' gives Local (UTC on the reference's hosts): different locations, two keys. */
    @Test
    void utcAndZeroOffsetKeysAreDistinct() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    m: {2001-12-14T00:00:00+00:00: a, 2001-12-14T00:00:00Z: a}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        m:\n"
                + "            2001-12-14T00:00:00Z: a\n            2001-12-14T00:00:00Z: a\ncustomization: {}\n");
    }

    /** Two UTC times of the same instant are one key; the later value wins. */
    @Test
    void utcTimestampKeysCollide() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    m: {2001-12-14: a, 2001-12-14T00:00:00Z: b}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        m:\n"
                + "            2001-12-14T00:00:00Z: b\ncustomization: {}\n");
    }

    /** Text starting with '.' goes to strconv.ParseFloat as is, which allows '_' between digits. */
    @Test
    void dotFloatWithUnderscore() {
        valid(utf8("overlay:\n  image: i\n  name: n\n  options:\n    .93_32: .5_5\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        \".93_32\": 0.55\ncustomization: {}\n");
    }

    /** The reader allows DEL and C1 controls (YAML 1.2 set). */
    @Test
    void delAndC1Characters() {
        valid(utf8("overlay:\n  image: \u007f\n  name: x\u0080\u009f\n"),
                "overlay:\n    image: \"\\x7F\"\n    name: \"x\\x80\\x9F\"\ncustomization: {}\n");
    }

    /** A tab may separate ': ' from a block value. */
    @Test
    void tabBeforeValue() {
        valid(utf8("overlay:\n  image: \ta\n  name: n\n"),
                "overlay:\n    image: a\n    name: 'n'\ncustomization: {}\n");
    }

    /** A tab ends a tag. */
    @Test
    void tabAfterTag() {
        valid(utf8("overlay:\n  image: i\n  name: !\tx\n"),
                "overlay:\n    image: i\n    name: x\ncustomization: {}\n");
    }

    /** A backslash followed by a literal tab is an escaped tab. */
    @Test
    void escapedTab() {
        valid(utf8("customization:\n  extraKernelArgs:\n    - \"a\\\tb\"\n"),
                "customization:\n    extraKernelArgs:\n        - \"a\\tb\"\n");
    }

    /** A backslash-u escape naming a UTF-16 surrogate is refused. */
    @Test
    void surrogateEscapeRefused() {
        invalid(utf8("customization:\n  extraKernelArgs:\n    - \"\\ud800\"\n"));
    }

    /** A comment may follow a block scalar header without a space. */
    @Test
    void blockScalarHeaderComment() {
        valid(utf8("customization:\n  embeddedMachineConfiguration: |#c\n    a\n"),
                "customization:\n    embeddedMachineConfiguration: |\n        a\n");
    }

    /** '?' not followed by a blank starts a plain scalar in flow context. */
    @Test
    void questionMarkPlainInFlow() {
        valid(utf8("customization: {extraKernelArgs: [?a, b?c]}\n"),
                "customization:\n    extraKernelArgs:\n        - ?a\n        - b?c\n");
    }

    /** '?' inside a plain scalar does not end it in flow context. */
    @Test
    void urlWithQuestionMarkInFlow() {
        valid(utf8("overlay: {image: i, name: n, options: {url: https://x/y?a=b&c=d}}\n"),
                "overlay:\n    image: i\n    name: 'n'\n    options:\n        url: https://x/y?a=b&c=d\n"
                + "customization: {}\n");
    }

    /** A tab where the block scalar's indentation is being detected is refused. */
    @Test
    void tabInBlockScalarIndentation() {
        invalid(utf8("overlay:\n  image: |\n      \ta\n  name: n\n"));
    }

    /** An unknown directive is an error, not a warning. */
    @Test
    void unknownDirective() {
        invalid(utf8("%FOO bar\n---\ncustomization: {}\n"));
    }

    /** Only %YAML 1.1 is accepted. */
    @Test
    void yaml12Directive() {
        invalid(utf8("%YAML 1.2\n---\ncustomization: {}\n"));
    }

    /** Document end markers before the first document are skipped. */
    @Test
    void leadingDocumentEnd() {
        valid(utf8("...\n---\ncustomization: {}\n"),
                "customization: {}\n");
    }

    /** The scanner looks two tokens ahead: a bad token right after '...' fails the request. */
    @Test
    void garbageAfterDocumentEnd() {
        invalid(utf8("customization: {}\n...\n@@@\n"));
    }

    /** The look-ahead reaches a tab at the start of the next document. */
    @Test
    void tabsStartingSecondDocument() {
        invalid(utf8("customization: {}\n---\n\t\tbad\n"));
    }

    /** A second document broken beyond the look-ahead does not matter. */
    @Test
    void brokenSecondDocumentBeyondLookahead() {
        valid(utf8("customization: {}\n---\nkey: [\n"),
                "customization: {}\n");
    }

    /** A character outside the tag URI set ends a tag with an error. */
    @Test
    void badTagCharacter() {
        invalid(utf8("overlay: {image: i, name: n, options: {k: !!st] 1}}\n"));
    }

    /** The reader decodes whole 512-byte chunks: invalid UTF-8 anywhere in a short body is an error. */
    @Test
    void invalidUtf8InFirstChunk() {
        invalid(b64("Y3VzdG9taXphdGlvbjoge30KLS0tCiMg/wo="));
    }

    /**
     * 3000 nested flow sequences are within go-yaml's limits: a schematic stored before the request limits (64
     * levels, {@link SchematicLimitsTest}) still loads, on a large stack if the caller's is small.
     */
    @Test
    void deepFlowNesting() {
        // Parsed on a thread whose stack is far too small for this depth: the codec must retry on a
        // large stack rather than refuse what go-yaml accepts.
        AtomicReference<Object> result = new AtomicReference<>();
        Thread small = new Thread(null, () -> {
            try {
                result.set(SchematicCodec.parseStored(nested(3000)).id().value());
            } catch (Throwable t) {
                result.set(t);
            }
        }, "small-stack", 256 * 1024);
        small.start();
        try {
            small.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertEquals("5b4c74eb79c5ba494d38593f6bb183bb1ed865d5bf68b8bcefb6ed880559797c", result.get());
    }

    /** Just under go-yaml's 10000-level limit a stored schematic still loads (on the codec's own large stack) and is stable. */
    @Test
    void nestingJustUnderTheLimit() {
        CanonicalSchematic c = SchematicCodec.parseStored(nested(9990));
        assertEquals(c.id(), SchematicCodec.parseStored(c.canonicalYaml()).id());
    }

    /** More than 10000 flow levels are refused, even for a stored schematic; a request already beyond 64. */
    @Test
    void tooDeepFlowNesting() {
        invalid(nested(10001));
        invalid(nested(65));
        assertThrows(InvalidInputException.class, () -> SchematicCodec.parseStored(nested(10001)));
    }

    /** Invalid UTF-8 in a chunk the scanner never needs is not read. */
    @Test
    void invalidUtf8BeyondFirstChunk() {
        valid(b64("Y3VzdG9taXphdGlvbjoge30KLS0tCmE6IHl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eQr/"),
                "customization: {}\n");
    }
}
