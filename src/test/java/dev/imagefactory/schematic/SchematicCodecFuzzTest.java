package dev.imagefactory.schematic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.imagefactory.errors.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated input never escapes as anything but a one-line {@link InvalidInputException} (which the
 * HTTP layer answers with 400), and whatever is accepted is stable: its canonical form parses to itself.
 */
class SchematicCodecFuzzTest {

    private static final String[] FRAGMENTS = {
        "customization:", "overlay:", "owner:", " ", "  ", "\n", "\r\n", "\t", "-", "- ", ":", ": ", "{", "}", "[", "]",
        ",", "'", "\"", "#", "&a", "*a", "!!str", "!!binary", "!!int", "!", "<<", "~", "null", "yes", "0x1F", "1e3",
        "2001-12-14", "|", ">", "---", "...", "meta", "key", "value", "extraKernelArgs", "systemExtensions",
        "officialExtensions", "bootloader", "secureboot", "diskImage", "sectorSize", "options", "image", "name",
        "\\", "ü", "\u2028", "\u0085", "\uFEFF", "%YAML 1.1", "? ", "@", "`", "0", "-1", "256", ".inf", "\u0000"
    };

    @Test
    void randomAndMutatedInputNeverFailsOtherwise() throws Exception {
        Random random = new Random(20261121L);
        List<byte[]> inputs = new ArrayList<>();
        for (ConformanceVectors.Vector v : ConformanceVectors.load()) {
            byte[] base = v.input().getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 60; i++) {
                inputs.add(mutate(base, random));
            }
        }
        for (int i = 0; i < 4000; i++) {
            inputs.add(randomDocument(random));
        }
        for (int i = 0; i < 1000; i++) {
            byte[] junk = new byte[random.nextInt(64)];
            random.nextBytes(junk);
            inputs.add(junk);
        }
        int accepted = 0;
        for (byte[] input : inputs) {
            try {
                CanonicalSchematic c = SchematicCodec.parse(input);
                accepted++;
                CanonicalSchematic again = SchematicCodec.parse(c.canonicalYaml());
                assertEquals(c.canonicalText(), again.canonicalText(), "canonical form must be a fixed point");
            } catch (InvalidInputException e) {
                assertFalse(e.getMessage().contains("\n"), "one-line reason");
                assertFalse(e.getMessage().isBlank());
            } catch (Throwable t) {
                fail("input " + new String(input, StandardCharsets.UTF_8) + " raised " + t, t);
            }
        }
        assertTrue(accepted > 100, "the generator must also produce valid schematics, got " + accepted);
    }

    private static byte[] mutate(byte[] base, Random random) {
        StringBuilder sb = new StringBuilder(new String(base, StandardCharsets.UTF_8));
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int pos = sb.length() == 0 ? 0 : random.nextInt(sb.length() + 1);
            switch (random.nextInt(3)) {
                case 0 -> sb.insert(pos, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                case 1 -> {
                    if (sb.length() > 0 && pos < sb.length()) {
                        sb.delete(pos, Math.min(sb.length(), pos + 1 + random.nextInt(4)));
                    }
                }
                default -> {
                    if (sb.length() > 0 && pos < sb.length()) {
                        sb.setCharAt(pos, (char) (32 + random.nextInt(95)));
                    }
                }
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static final String[] SCALARS = {
        "a", "'q'", "\"d\\tq\"", "1", "0x10", "08", "1e3", "-0", ".nan", "yes", "Off", "~", "", "2001-12-14",
        "\"multi\\nline\\n\"", "' lead'", "'#x'", "!!binary aGVsbG8=", "!!str 12", "'<<'", "\"\\u2028\"", "ü", "-"
    };

    private static byte[] randomDocument(Random r) {
        StringBuilder sb = new StringBuilder("customization:\n");
        if (r.nextBoolean()) {
            sb.append("  extraKernelArgs: [").append(pick(r)).append(", ").append(pick(r)).append("]\n");
        }
        if (r.nextBoolean()) {
            sb.append("  meta:\n    - key: ").append(r.nextInt(300)).append("\n      value: ").append(pick(r)).append('\n');
        }
        if (r.nextBoolean()) {
            sb.append("  systemExtensions: {officialExtensions: [siderolabs/").append(pick(r)).append("]}\n");
        }
        if (r.nextBoolean()) {
            sb.append("  bootloader: ").append(pick(r)).append('\n');
        }
        if (r.nextBoolean()) {
            sb.append("overlay:\n  image: ").append(pick(r)).append("\n  name: x\n  options:\n    ")
                    .append(pick(r)).append(": ").append(pick(r)).append("\n    k: {").append(pick(r)).append(": [")
                    .append(pick(r)).append("]}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String pick(Random r) {
        return SCALARS[r.nextInt(SCALARS.length)];
    }
}
