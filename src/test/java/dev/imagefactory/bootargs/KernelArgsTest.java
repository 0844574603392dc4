package dev.imagefactory.bootargs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernel's own reading of a command line (lib/cmdline.c next_arg), which the writers must preserve. */
class KernelArgsTest {

    private static List<List<String>> read(String cmdline) {
        return KernelArgs.split(cmdline).stream()
                .map(a -> Arrays.asList(a.text(), a.param(), a.value())).toList();
    }

    @Test
    void quotesGroupSpacesAndAreDroppedAroundTheValueOrTheWholeArgument() {
        assertEquals(List.of(List.of("q=\"a b\"", "q", "a b"), Arrays.asList("x", "x", null)), read("q=\"a b\" x"));
        assertEquals(List.of(List.of("\"q=a b\"", "q", "a b")), read("\"q=a b\""));
        assertEquals(List.of(Arrays.asList("\"flag\"", "flag", null)), read("  \"flag\"  "));
        assertEquals(List.of(List.of("k=\"\"", "k", "")), read("k=\"\""));
    }

    @Test
    void quotesElsewhereStayAndAnUnbalancedQuoteRunsToTheEnd() {
        assertEquals(List.of(Arrays.asList("a\"b c\"d", "a\"b c\"d", null)), read("a\"b c\"d"));
        assertEquals(List.of(List.of("k=v\"w\"", "k", "v\"w\"")), read("k=v\"w\""));
        assertEquals(List.of(List.of("q=\"a b c", "q", "a b c")), read("q=\"a b c"));
    }

    @Test
    void anEqualsSignFirstIsPartOfTheName() {
        assertEquals(List.of(List.of("=a=b", "=a", "b")), read("=a=b"));
    }
}
