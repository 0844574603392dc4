package dev.imagefactory.schematic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.errors.InvalidInputException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hostile schematics are refused while they are decoded, quickly and in bounded memory (issue 21, cases 1 and 2).
 * Surefire runs this class in its own JVM with {@code -Xmx256m} (the pom's {@code bounded-memory} execution, which runs this tag), so a bound that does not hold shows
 * up as an OutOfMemoryError rather than as a slow pass on a large heap.
 */
@Tag("bounded-memory")
class SchematicLimitsTest {

    private static final long MIB = 1024 * 1024;
    private static final long ONE_SECOND_NANOS = 1_000_000_000L;

    @BeforeAll
    static void runsOnASmallHeapAsAWarmService() {
        assertTrue(Runtime.getRuntime().maxMemory() <= 256 * MIB,
                "this class must run in the forked -Xmx256m JVM, not on a " + Runtime.getRuntime().maxMemory() / MIB + " MiB heap");
        // The timings below are those of a running service, not of a JVM's first minute: parse a benign schematic
        // of nearly 1 MiB a few times first, so that the parser is compiled.
        StringBuilder benign = new StringBuilder("overlay:\n  image: i\n  name: n\n  options:\n    text: \"");
        benign.append("t".repeat(400_000)).append("\"\n    list: [");
        for (int i = 0; i < 10_000; i++) {
            benign.append(i == 0 ? "" : ", ").append("v").append(i);
        }
        benign.append("]\n");
        for (int i = 0; i < 5; i++) {
            SchematicCodec.parse(bytes(benign));
        }
    }

    /** Case 1: one 500,000-byte scalar and ~137,000 aliases of it (a 1 MiB body) would decode to 68 GB. */
    @Test
    void scalarAliasBombIsRefusedQuickly() {
        int aliases = (SchematicLimits.MAX_DOCUMENT_BYTES - 500_100) / ", *a".length();
        assertRefusedFast(aliasBomb(500_000, aliases), "1 MiB");
    }

    /** Case 1, the variant that was accepted: a 503 KB body that expanded to a 500 MB stored schematic. */
    @Test
    void smallAliasBombIsRefusedQuickly() {
        assertRefusedFast(aliasBomb(1_000, 125_000), "1 MiB");
    }

    /** {@code extraKernelArgs: [&a "<scalarBytes>", *a, *a, ...]}. */
    static byte[] aliasBomb(int scalarBytes, int aliases) {
        StringBuilder body = new StringBuilder("customization:\n  extraKernelArgs: [&a \"");
        body.append("A".repeat(scalarBytes)).append('"');
        body.append(", *a".repeat(aliases)).append("]\n");
        return bytes(body);
    }

    /** Aliases of collections multiply too: ten levels of ten aliases each of a 200 KB list are 2 PB. */
    @Test
    void nestedCollectionAliasesAreRefusedQuickly() {
        StringBuilder body = new StringBuilder("overlay:\n  image: i\n  name: n\n  options:\n");
        body.append("    l0: &l0 [\"").append("x".repeat(200_000)).append("\"]\n");
        for (int level = 1; level <= 10; level++) {
            body.append("    l").append(level).append(": &l").append(level).append(" [");
            for (int i = 0; i < 10; i++) {
                body.append(i == 0 ? "" : ", ").append("*l").append(level - 1);
            }
            body.append("]\n");
        }
        assertRefusedFast(bytes(body), "1 MiB");
    }

    /** Case 2: 9,998 nested one-key maps (60 KB of JSON) would be a 200 MB canonical YAML. */
    @Test
    void deeplyNestedMapsAreRefusedQuickly() {
        int depth = 9_996; // with the document's own three levels, just within go-yaml's 10,000
        String json = "{\"overlay\":{\"image\":\"i\",\"name\":\"n\",\"options\":"
                + "{\"a\":".repeat(depth) + "{}" + "}".repeat(depth) + "}}";
        assertRefusedFast(bytes(json), "nested more than " + SchematicLimits.MAX_DEPTH + " levels");
    }

    /** Wide but shallow: every level within the depth limit, the canonical form still far over 1 MiB. */
    @Test
    void indentationBlowUpWithinTheDepthLimitIsRefused() {
        int depth = SchematicLimits.MAX_DEPTH - 8;
        StringBuilder json = new StringBuilder("{\"overlay\":{\"image\":\"i\",\"name\":\"n\",\"options\":");
        json.append("{\"a\":".repeat(depth)).append('{');
        for (int i = 0; i < 60_000; i++) {
            json.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":1");
        }
        json.append("}".repeat(depth + 1)).append("}}");
        assertTrue(json.length() < SchematicLimits.MAX_DOCUMENT_BYTES);
        assertRefusedFast(bytes(json), "1 MiB");
    }

    /** go-yaml's duplicate-key check compares every pair of keys; a 1 MiB map of distinct keys must stay fast. */
    @Test
    void aMapWithManyKeysIsDecodedQuickly() {
        StringBuilder json = new StringBuilder("{\"overlay\":{\"image\":\"i\",\"name\":\"n\",\"options\":{");
        int keys = 0;
        while (json.length() < 1_000_000) {
            json.append(keys == 0 ? "" : ",").append("\"key").append(keys++).append("\":1");
        }
        json.append("}}}");
        byte[] body = bytes(json);
        long started = System.nanoTime();
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SchematicCodec.parse(body));
        long took = System.nanoTime() - started;
        // ~85,000 keys at "keyN: 1" plus indentation are more than 1 MiB canonical: refused, but in linear time.
        assertTrue(e.getMessage().contains("1 MiB"), e.getMessage());
        assertTrue(took < ONE_SECOND_NANOS, "took " + took / 1_000_000 + " ms");

        // Linear, not pairwise: go-yaml's check makes 800 million key comparisons for 40,000 keys (37 s here with
        // the pairwise loop, 10,000 keys 2 s); linear, it is well under a second, a few on a loaded machine.
        byte[] fortyThousand = optionsWithKeys(40_000);
        long linear = timeParse(fortyThousand);
        assertTrue(linear < 5 * ONE_SECOND_NANOS, "40,000 distinct keys took " + linear / 1_000_000 + " ms");
        assertEquals(40_000, SchematicCodec.parse(fortyThousand).schematic().overlay().options().size());
    }

    private static byte[] optionsWithKeys(int keys) {
        StringBuilder json = new StringBuilder("{\"overlay\":{\"image\":\"i\",\"name\":\"n\",\"options\":{");
        for (int i = 0; i < keys; i++) {
            json.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":1");
        }
        return bytes(json.append("}}}"));
    }

    private static long timeParse(byte[] body) {
        long started = System.nanoTime();
        SchematicCodec.parse(body);
        return System.nanoTime() - started;
    }

    @Test
    void duplicateKeysAreStillReportedLikeGoYaml() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SchematicCodec.parse(bytes("overlay: {image: i, name: n, options: {a: 1, b: 2, a: 3, b: 4, a: 5}}\n")));
        assertEquals("yaml: construct errors: line 1: mapping key \"a\" already defined at line 1; "
                + "line 1: mapping key \"a\" already defined at line 1; line 1: mapping key \"b\" already defined at line 1; "
                + "line 1: mapping key \"a\" already defined at line 1", e.getMessage());
    }

    @Test
    void listLengthsAreBounded() {
        StringBuilder extensions = new StringBuilder("customization:\n  systemExtensions:\n    officialExtensions:\n");
        for (int i = 0; i <= SchematicLimits.MAX_EXTENSIONS; i++) {
            extensions.append("      - siderolabs/ext-").append(i).append('\n');
        }
        assertRefusedFast(bytes(extensions), "at most " + SchematicLimits.MAX_EXTENSIONS);

        StringBuilder meta = new StringBuilder("customization:\n  meta:\n");
        for (int i = 0; i <= SchematicLimits.MAX_META_VALUES; i++) {
            meta.append("    - {key: ").append(i % 256).append(", value: v}\n");
        }
        assertRefusedFast(bytes(meta), "at most " + SchematicLimits.MAX_META_VALUES);
    }

    @Test
    void kernelArgumentsAreCountedButTheirLengthIsLeftToTheBuild() {
        StringBuilder args = new StringBuilder("customization:\n  extraKernelArgs:\n");
        for (int i = 0; i <= SchematicLimits.MAX_KERNEL_ARGS; i++) {
            args.append("    - a").append(i).append('\n');
        }
        assertRefusedFast(bytes(args), "at most " + SchematicLimits.MAX_KERNEL_ARGS);

        // The reference accepts (and IDs) a 5 KB argument; the kernel's limit is checked per architecture when the
        // command line is rendered (CmdlineBuilderTest), so the same schematic gets the same ID here.
        String longArg = "customization:\n  extraKernelArgs: [talos.longarg=" + "x".repeat(5000) + "]\n";
        assertEquals(1, SchematicCodec.parse(bytes(longArg)).schematic().customization().extraKernelArgs().size());
    }

    /** Schematics stored before the limits keep loading, e.g. go-yaml's deep nesting that POST now refuses. */
    @Test
    void storedSchematicsOutsideTheRequestLimitsStillLoad() {
        byte[] deep = bytes("overlay: {image: i, name: n, options: {k: " + "[".repeat(3000) + "]".repeat(3000) + "}}\n");
        assertThrows(InvalidInputException.class, () -> SchematicCodec.parse(deep));
        CanonicalSchematic stored = SchematicCodec.parseStored(SchematicCodec.parseStored(deep).canonicalYaml());
        assertEquals("5b4c74eb79c5ba494d38593f6bb183bb1ed865d5bf68b8bcefb6ed880559797c", stored.id().value());

        StringBuilder many = new StringBuilder("customization:\n  systemExtensions:\n    officialExtensions:\n");
        for (int i = 0; i <= SchematicLimits.MAX_EXTENSIONS; i++) {
            many.append("      - siderolabs/ext-").append(i).append('\n');
        }
        assertEquals(SchematicLimits.MAX_EXTENSIONS + 1,
                SchematicCodec.parseStored(bytes(many)).schematic().customization().officialExtensions().size());
    }

    /** A stored schematic over the size bound (written by a version without limits) is refused, not re-parsed. */
    @Test
    void anOversizedStoredSchematicIsRefusedWithoutParsing() {
        byte[] huge = new byte[(int) (SchematicLimits.MAX_DOCUMENT_BYTES + 1)];
        java.util.Arrays.fill(huge, (byte) '#');
        assertRefusedFast(() -> SchematicCodec.parseStored(huge), "1 MiB");
    }

    @Test
    void peakHeapStayedBounded() {
        // Runs after or between the others (order is not fixed), so it checks the whole JVM's peak so far too.
        scalarAliasBombIsRefusedQuickly();
        deeplyNestedMapsAreRefusedQuickly();
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        assertTrue(peak < 256 * MIB, "peak heap " + peak / MIB + " MiB");
    }

    private static void assertRefusedFast(byte[] body, String named) {
        assertRefusedFast(() -> SchematicCodec.parse(body), named);
    }

    private static void assertRefusedFast(Supplier<CanonicalSchematic> parse, String named) {
        long started = System.nanoTime();
        InvalidInputException e = assertThrows(InvalidInputException.class, parse::get);
        long took = System.nanoTime() - started;
        assertTrue(took < ONE_SECOND_NANOS, "refusal took " + took / 1_000_000 + " ms: " + e.getMessage());
        assertTrue(e.getMessage().contains(named), "the reason names the limit (" + named + "): " + e.getMessage());
        assertTrue(e.getMessage().length() < 300 && !e.getMessage().contains("\n"), "one short line: " + e.getMessage());
    }

    private static byte[] bytes(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }
}
