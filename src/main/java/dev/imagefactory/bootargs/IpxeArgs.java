package dev.imagefactory.bootargs;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel arguments of an iPXE script's {@code kernel} line.
 *
 * <p>iPXE (core/exec.c, image/script.c) splits a line at white space, ends the command at a word that is {@code &&},
 * {@code ||} or {@code ;} or starts with {@code #}, then expands {@code ${name}} in each remaining word by itself,
 * and joins the words after the image URL with single spaces into the kernel's command line; a line that ends in
 * {@code \} continues on the next one. Quotes mean nothing. Since expansion comes after the command is split, an
 * empty expansion {@code ${}} (an unnamed setting is empty) in front of such a word keeps it a plain argument and
 * vanishes from it; one after a final {@code \} keeps the next line apart. Expansion repeats until no
 * {@code ${...}} is left, so text that holds {@code ${} followed by {@code }} has no escape: refused.
 */
public final class IpxeArgs {

    static final String FORMAT = "an iPXE script";

    /** Expands to nothing: an unnamed setting is unset. */
    private static final String EMPTY = "${}";

    private IpxeArgs() {
    }

    /**
     * The words for {@code cmdline}, separated by spaces.
     *
     * @throws UnwritableKernelArgException for an argument iPXE would expand or a control character
     */
    public static String words(String cmdline) {
        List<String> words = new ArrayList<>();
        for (String word : split(cmdline)) {
            words.add(word(word));
        }
        return String.join(" ", words);
    }

    /** iPXE's words: separated by runs of white space. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            while (i < line.length() && KernelArgs.isSpace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < line.length() && !KernelArgs.isSpace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(line.substring(start, i));
            }
        }
        return words;
    }

    private static String word(String word) {
        int control = UnwritableKernelArgException.controlCharacter(word);
        if (control >= 0) {
            throw new UnwritableKernelArgException(word, FORMAT,
                    String.format("it holds the control character U+%04X", control));
        }
        if (expands(word)) {
            throw new UnwritableKernelArgException(word, FORMAT,
                    "iPXE expands ${...} as a setting and has no escape for it");
        }
        String out = word;
        if (endsCommand(word)) {
            out = EMPTY + out;
        }
        if (out.endsWith("\\")) {
            out = out + EMPTY;
        }
        return out;
    }

    /** Whether iPXE would end the command at this word: {@code &&}, {@code ||}, {@code ;}, or a comment. */
    static boolean endsCommand(String word) {
        return word.equals("&&") || word.equals("||") || word.equals(";") || word.startsWith("#");
    }

    /** Whether iPXE finds a {@code ${...}} to expand: a {@code ${} with a {@code }} somewhere after it. */
    static boolean expands(String word) {
        int start = word.indexOf("${");
        return start >= 0 && word.indexOf('}', start + 2) >= 0;
    }
}
