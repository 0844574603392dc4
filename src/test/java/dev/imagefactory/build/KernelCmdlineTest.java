package dev.imagefactory.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelCmdlineTest {

    private static final Set<String> OVERWRITE = Set.of("console", "talos.platform");

    @Test
    void rendersValuesOfAKeyTogetherAtItsFirstPosition() {
        KernelCmdline c = new KernelCmdline()
                .append("console", "tty0")
                .append("pti", "on")
                .append("console", "ttyS0");
        assertEquals("console=tty0 console=ttyS0 pti=on", c.render());
    }

    @Test
    void emptyValueRendersAsBareKey() {
        assertEquals("slab_nomerge", KernelCmdline.parse("slab_nomerge=").render());
        assertEquals("slab_nomerge", KernelCmdline.parse("slab_nomerge").render());
        assertEquals(Optional.of(List.of("")), KernelCmdline.parse("slab_nomerge=").get("slab_nomerge"));
        assertEquals("", new KernelCmdline().render());
    }

    @Test
    void parseJoinsSplitsOnWhitespaceAndSplitsAtFirstEquals() {
        KernelCmdline c = KernelCmdline.parse(List.of("a=1  b=x=y", "\tc\n", "talos.environment=K=V"));
        assertEquals(List.of("a", "b", "c", "talos.environment"), c.keys());
        assertEquals(Optional.of(List.of("x=y")), c.get("b"));
        assertEquals(Optional.of(List.of("K=V")), c.get("talos.environment"));
        assertEquals("a=1 b=x=y c talos.environment=K=V", c.render());
    }

    @Test
    void parseMergesDuplicateKeys() {
        KernelCmdline c = KernelCmdline.parse("console=tty0 pti=on console=ttyS0 console=tty0");
        assertEquals(List.of("console", "pti"), c.keys());
        assertEquals(Optional.of(List.of("tty0", "ttyS0", "tty0")), c.get("console"));
        assertEquals("console=tty0 console=ttyS0 console=tty0 pti=on", c.render());
    }

    @Test
    void parseSplitsOnUnicodeWhiteSpaceLikeGoFields() {
        // U+00A0 no-break space and U+2003 em space separate; U+200B zero-width space is not white space
        KernelCmdline c = KernelCmdline.parse("a=1\u00a0b=2\u2003c=3\u0085d\u200be");
        assertEquals(List.of("a", "b", "c", "d\u200be"), c.keys());
    }

    @Test
    void appendAddsToExistingKeyOrAtTheEnd() {
        KernelCmdline c = KernelCmdline.parse("a=1 b=2").append("a", "3").append("c", "");
        assertEquals("a=1 a=3 b=2 c", c.render());
    }

    @Test
    void setAllReplacesInPlaceAndAddsNewKeysAtTheEnd() {
        KernelCmdline c = KernelCmdline.parse("talos.platform=metal console=ttyS0 console=tty0 pti=on");
        c.setAll(List.of("console=ttyAMA0,115200", "foo=bar", "console=tty1"));
        assertEquals("talos.platform=metal console=ttyAMA0,115200 console=tty1 pti=on foo=bar", c.render());
    }

    @Test
    void appendAllWithoutOptionsAppendsEveryValueEvenForNegatedKeys() {
        KernelCmdline c = KernelCmdline.parse("console=tty0 pti=on");
        c.appendAll(List.of("console=ttyS0 -pti", "x"));
        assertEquals("console=tty0 console=ttyS0 pti=on -pti x", c.render());
    }

    @Test
    void bareNegationRemovesTheWholeKey() {
        KernelCmdline c = KernelCmdline.parse("a=1 console=tty0 console=ttyS0 b=2");
        c.appendAll(List.of("-console"), OVERWRITE, true);
        assertEquals("a=1 b=2", c.render());
        assertEquals(List.of("a", "b"), c.keys());
    }

    @Test
    void valuedNegationRemovesOnlyMatchingValuesAndKeepsTheKeyPosition() {
        KernelCmdline c = KernelCmdline.parse("a=1 console=tty0 console=ttyS0 console=tty0 b=2");
        c.appendAll(List.of("-console=tty0"), OVERWRITE, true);
        assertEquals("a=1 console=ttyS0 b=2", c.render());

        c.appendAll(List.of("-console=ttyS0"), OVERWRITE, true);
        assertEquals("a=1 b=2", c.render());
        // the key stays, with no values, and renders as nothing; a later append lands at its old position
        assertEquals(List.of("a", "console", "b"), c.keys());
        assertEquals(Optional.of(List.of()), c.get("console"));
        c.append("console", "tty1");
        assertEquals("a=1 console=tty1 b=2", c.render());
    }

    @Test
    void negatingAnAbsentKeyOrValueIsANoOp() {
        KernelCmdline c = KernelCmdline.parse("a=1");
        c.appendAll(List.of("-b", "-c=1", "-a=2"), OVERWRITE, true);
        assertEquals("a=1", c.render());
        assertEquals(List.of("a"), c.keys());
    }

    @Test
    void aLoneDashIsNotANegation() {
        KernelCmdline c = KernelCmdline.parse("a=1");
        c.appendAll(List.of("-"), OVERWRITE, true);
        assertEquals("a=1 -", c.render());
    }

    @Test
    void negationsMergeWhenParsedAndApplyValueByValue() {
        KernelCmdline c = KernelCmdline.parse("foo=bar foo=baz x=1");
        c.appendAll(List.of("-foo=bar -foo"), OVERWRITE, true);
        assertEquals("x=1", c.render());

        KernelCmdline d = KernelCmdline.parse("foo=bar foo=baz foo=qux x=1");
        d.appendAll(List.of("-foo=bar", "-foo=qux"), OVERWRITE, true);
        assertEquals("foo=baz x=1", d.render());
    }

    @Test
    void overwriteKeysReplaceInPlaceOthersAppend() {
        KernelCmdline c = KernelCmdline.parse("talos.platform=metal console=tty0 console=ttyS0 pti=on");
        c.appendAll(List.of("console=ttyS1,115200", "talos.platform=aws", "pti=off", "nolapic"), OVERWRITE, true);
        assertEquals("talos.platform=aws console=ttyS1,115200 pti=on pti=off nolapic", c.render());
    }

    @Test
    void overwriteOfAnAbsentKeyAddsItAtTheEnd() {
        KernelCmdline c = KernelCmdline.parse("a=1");
        c.appendAll(List.of("console=ttyS0"), OVERWRITE, true);
        assertEquals("a=1 console=ttyS0", c.render());
    }

    @Test
    void removingThenAddingBackMovesTheKeyToTheEnd() {
        KernelCmdline c = KernelCmdline.parse("talos.platform=metal console=tty0 pti=on");
        c.appendAll(List.of("-console", "console=ttyS1,115200"), OVERWRITE, true);
        assertEquals("talos.platform=metal pti=on console=ttyS1,115200", c.render());
    }

    @Test
    void negatedKeysAreAppendedVerbatimWithoutDeleteNegated() {
        KernelCmdline c = KernelCmdline.parse("a=1");
        c.appendAll(List.of("-a"), OVERWRITE, false);
        assertEquals("a=1 -a", c.render());
    }
}
