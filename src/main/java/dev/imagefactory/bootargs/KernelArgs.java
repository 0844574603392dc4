package dev.imagefactory.bootargs;

import java.util.ArrayList;
import java.util.List;

/**
 * A command line split into arguments the way the Linux kernel does it ({@code next_arg} in lib/cmdline.c): white
 * space separates arguments except between double quotes, which only group (there is no escape for {@code "}); a
 * quote that opens the argument or its value is dropped, with the argument's last character if that is a quote too.
 */
public final class KernelArgs {

    /**
     * One argument.
     *
     * @param text  as written on the command line, quotes included
     * @param param the name the kernel reads
     * @param value the value the kernel reads, null without {@code =}
     */
    public record Arg(String text, String param, String value) {
        /** {@code param[=value]}: what the kernel reads, without the grouping quotes. */
        public String read() {
            return value == null ? param : param + "=" + value;
        }
    }

    private KernelArgs() {
    }

    public static List<Arg> split(String cmdline) {
        List<Arg> args = new ArrayList<>();
        int i = skipSpaces(cmdline, 0);
        while (i < cmdline.length()) {
            int start = i;
            boolean quoted = cmdline.charAt(i) == '"';
            boolean inQuote = quoted;
            if (quoted) {
                i++;
            }
            int bodyStart = i;
            int equals = -1;
            for (; i < cmdline.length(); i++) {
                char c = cmdline.charAt(i);
                if (isSpace(c) && !inQuote) {
                    break;
                }
                if (equals < 0 && c == '=' && i > bodyStart) { // the kernel's "equals == 0" means "none yet"
                    equals = i;
                }
                if (c == '"') {
                    inQuote = !inQuote;
                }
            }
            args.add(read(cmdline.substring(start, i), cmdline, bodyStart, equals, i, quoted));
            i = skipSpaces(cmdline, i);
        }
        return args;
    }

    private static Arg read(String text, String line, int bodyStart, int equals, int end, boolean quoted) {
        boolean lastIsQuote = end > bodyStart && line.charAt(end - 1) == '"';
        String param;
        String value;
        if (equals < 0) {
            param = line.substring(bodyStart, end);
            value = null;
            if (quoted && lastIsQuote) {
                param = param.substring(0, param.length() - 1);
            }
        } else {
            param = line.substring(bodyStart, equals);
            value = line.substring(equals + 1, end);
            boolean dropLast = false;
            if (value.startsWith("\"")) {
                value = value.substring(1);
                dropLast = lastIsQuote && end - 1 > equals + 1;
            }
            if ((dropLast || quoted && lastIsQuote) && !value.isEmpty()) {
                value = value.substring(0, value.length() - 1);
            }
        }
        return new Arg(text, param, value);
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The kernel's {@code isspace} on ASCII. */
    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
