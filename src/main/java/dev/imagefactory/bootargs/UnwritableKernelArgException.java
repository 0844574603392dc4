package dev.imagefactory.bootargs;

import dev.imagefactory.errors.InvalidInputException;

/** A kernel argument that a boot format cannot carry unchanged; a 400 whose one-line message names it and why. */
public class UnwritableKernelArgException extends InvalidInputException {

    public UnwritableKernelArgException(String argument, String format, String reason) {
        super("kernel argument " + printable(argument) + " cannot be written into " + format + ": " + reason);
    }

    /** The argument in double quotes, with quotes, backslashes and control characters escaped: one line always. */
    static String printable(String argument) {
        StringBuilder out = new StringBuilder(argument.length() + 2).append('"');
        argument.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c < 0x20 || c == 0x7f || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR || c == 0x85) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append('"').toString();
    }

    /** The first control character (C0 or DEL, not counting white space) in {@code text}, or -1. */
    static int controlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != ' ' && (c < '\t' || c > '\r')) || c == 0x7f) {
                return c;
            }
        }
        return -1;
    }
}
