package dev.imagefactory.schematic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.errors.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every public vector: valid input gives the reference's ID and canonical text, invalid input is refused. */
class SchematicCodecConformanceTest {

    @TestFactory
    Stream<DynamicTest> publicVectors() throws Exception {
        List<ConformanceVectors.Vector> vectors = ConformanceVectors.load();
        return vectors.stream().map(v -> DynamicTest.dynamicTest("line " + v.line(), () -> check(v)));
    }

    @Test
    void thereAreSixtyVectorsWithBothOutcomes() throws Exception {
        List<ConformanceVectors.Vector> vectors = ConformanceVectors.load();
        assertEquals(60, vectors.size());
        assertTrue(vectors.stream().anyMatch(ConformanceVectors.Vector::valid));
        assertTrue(vectors.stream().anyMatch(v -> !v.valid()));
    }

    private static void check(ConformanceVectors.Vector v) {
        byte[] input = v.input().getBytes(StandardCharsets.UTF_8);
        if (!v.valid()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> SchematicCodec.parse(input));
            assertFalse(e.getMessage().contains("\n"), "error must be one line");
            return;
        }
        CanonicalSchematic c = SchematicCodec.parse(input);
        assertTrue(v.acceptableIds().contains(c.id().value()),
                () -> "ID " + c.id() + " not in " + v.acceptableIds() + "; canonical was:\n" + c.canonicalText()
                        + "\nexpected:\n" + v.canonical());
        if (v.ids().isEmpty() && v.canonical() != null) {
            assertEquals(v.canonical(), c.canonicalText());
        }
        assertEquals(SchematicCodec.sha256Hex(c.canonicalYaml()), c.id().value());
    }
}
