package dev.imagefactory.bootargs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * iPXE script words, read back by a model of iPXE's command line handling (core/exec.c: split at white space, stop
 * at a terminator word, expand settings per word; image/script.c: a final backslash continues the line). The boot
 * through iPXE is in {@code boot.KernelArgsBootTest}.
 */
class IpxeArgsTest {

    static final String HARD = "talos.platform=metal && imgfree || ; #c x#y $dollar q=\"a b\" a'b {x} $ ${ end\\";

    @Test
    void terminatorsCommentsAndAFinalBackslashAreEscapedAndReadBackExactly() {
        String words = IpxeArgs.words(HARD);
        assertEquals("talos.platform=metal ${}&& imgfree ${}|| ${}; ${}#c x#y $dollar q=\"a b\" a'b {x} $ ${"
                + " end\\${}", words);
        assertEquals(HARD, kernelArgsAsIpxeReadsThem("kernel http://f/kernel " + words));
    }

    @Test
    void ordinaryCommandLinesAreWrittenAsTheReferenceWritesThem() {
        String plain = "talos.platform=metal console=ttyS0 slab_nomerge talos.environment=INSTALLER_META_BASE64=MHhh+/==";
        assertEquals(plain, IpxeArgs.words(plain));
    }

    @Test
    void anExpansionIsRefusedByName() {
        UnwritableKernelArgException e = assertThrows(UnwritableKernelArgException.class,
                () -> IpxeArgs.words("talos.platform=metal mac=${net0/mac}"));
        assertEquals("kernel argument \"mac=${net0/mac}\" cannot be written into an iPXE script: iPXE expands ${...}"
                + " as a setting and has no escape for it", e.getMessage());
    }

    /** The kernel command line iPXE builds from one script line, or fails if the line is not one whole command. */
    private static String kernelArgsAsIpxeReadsThem(String line) {
        if (line.endsWith("\\")) {
            throw new AssertionError("the line would continue on the next one: " + line);
        }
        List<String> argv = new ArrayList<>();
        for (String token : line.split("[ \\t]+")) {
            if (token.equals("&&") || token.equals("||") || token.equals(";") || token.startsWith("#")) {
                throw new AssertionError("iPXE ends the command at " + token + ": " + line);
            }
            argv.add(expand(token));
        }
        return String.join(" ", argv.subList(2, argv.size()));
    }

    /** expand_settings with no settings set: the innermost ${...} becomes empty until none is left. */
    private static String expand(String token) {
        while (true) {
            int start = -1;
            int end = -1;
            for (int i = 0; i < token.length(); i++) {
                if (token.startsWith("${", i)) {
                    start = i;
                }
                if (start >= 0 && token.charAt(i) == '}') {
                    end = i;
                    break;
                }
            }
            if (end < 0) {
                return token;
            }
            token = token.substring(0, start) + token.substring(end + 1);
        }
    }
}
