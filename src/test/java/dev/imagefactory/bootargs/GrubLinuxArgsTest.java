package dev.imagefactory.bootargs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.build.iso.GrubConfig;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * grub.cfg arguments: GRUB's own syntax check accepts the file, GRUB's lexer reads each word back as written
 * (single quotes are literal), and the command line GRUB's {@code linux} command then builds gives the kernel the
 * same names and values as the original. The boot through GRUB is in {@code boot.KernelArgsBootTest}.
 */
class GrubLinuxArgsTest {

    static final String HARD = "talos.platform=metal x#y $dollar q=\"a b\" {a}&b|c;d<e>f *?[g] #c && || ;"
            + " k=\"v\" if plain=1,2:3/4+5@6%7^8~9";

    @TempDir
    Path tmp;

    @Test
    void everyArgumentIsOneLiteralWordAndTheKernelReadsWhatItWouldHaveRead() throws Exception {
        String words = GrubLinuxArgs.words(HARD);
        assertEquals("talos.platform=metal 'x#y' '$dollar' 'q=a b' '{a}&b|c;d<e>f' '*?[g]' '#c' '&&' '||' ';' k=v if"
                + " plain=1,2:3/4+5@6%7^8~9", words);

        Path cfg = Files.writeString(tmp.resolve("grub.cfg"), GrubConfig.render(HARD, true));
        new ProcessRunner(Duration.ofSeconds(30)).run(Command.of("grub-script-check", cfg.toString()));

        String handed = grubLoaderCmdline(singleQuotedWords(words));
        assertEquals("talos.platform=metal x#y $dollar \"q=a b\" {a}&b|c;d<e>f *?[g] #c && || ; k=v if"
                + " plain=1,2:3/4+5@6%7^8~9", handed);
        assertEquals(reads(HARD), reads(handed));
    }

    @Test
    void argumentsTheKernelWouldReadWithABackslashOrQuoteAreRefusedByName() {
        for (String arg : List.of("a'b", "back\\slash", "a\"b c\"d", "k=v\"w\"")) {
            UnwritableKernelArgException e = assertThrows(UnwritableKernelArgException.class,
                    () -> GrubLinuxArgs.words("talos.platform=metal " + arg));
            assertTrue(e.getMessage().startsWith("kernel argument " + UnwritableKernelArgException.printable(arg)
                    + " cannot be written into grub.cfg: GRUB's linux command passes "), e.getMessage());
        }
        UnwritableKernelArgException control = assertThrows(UnwritableKernelArgException.class,
                () -> GrubLinuxArgs.words("esc=\u001b[0m"));
        assertEquals("kernel argument \"esc=\\u001b[0m\" cannot be written into grub.cfg: it holds the control"
                + " character U+001B", control.getMessage());
    }

    @Test
    void plainCommandLinesAreWrittenAsTalosWritesThem() {
        String plain = "talos.platform=metal console=ttyS0 slab_nomerge talos.environment=INSTALLER_META_BASE64=MHhh+/==";
        assertEquals(plain, GrubLinuxArgs.words(plain));
    }

    private static List<List<String>> reads(String cmdline) {
        return KernelArgs.split(cmdline).stream().map(a -> java.util.Arrays.asList(a.param(), a.value())).toList();
    }

    /** GRUB's lexer on our output: words are plain or one single-quoted string, where nothing is special. */
    private static List<String> singleQuotedWords(String words) {
        List<String> out = new ArrayList<>();
        for (String w : words.split(" (?=(?:[^']*'[^']*')*[^']*$)")) {
            out.add(w.startsWith("'") ? w.substring(1, w.length() - 1) : w);
        }
        return out;
    }

    /** grub_create_loader_cmdline (grub-core/lib/cmdline.c): backslash before \ ' ", a word with a space in "". */
    static String grubLoaderCmdline(List<String> argv) {
        List<String> out = new ArrayList<>();
        for (String a : argv) {
            String escaped = a.replaceAll("([\\\\'\"])", "\\\\$1");
            out.add(a.contains(" ") ? "\"" + escaped + "\"" : escaped);
        }
        return String.join(" ", out);
    }
}
