package dev.imagefactory.schematic.goyaml;

import java.math.BigInteger;

/** Go's strconv.ParseInt / ParseUint with base 0 (0x, 0o, 0b and leading-0 octal prefixes), 64 bits. */
final class GoNumbers {
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private GoNumbers() {
    }

    static Long parseInt(String s) {
        boolean negative = false;
        String body = s;
        if (!body.isEmpty() && (body.charAt(0) == '+' || body.charAt(0) == '-')) {
            negative = body.charAt(0) == '-';
            body = body.substring(1);
        }
        BigInteger magnitude = parseMagnitude(body);
        if (magnitude == null) {
            return null;
        }
        BigInteger v = negative ? magnitude.negate() : magnitude;
        return v.bitLength() < 64 ? v.longValue() : null;
    }

    static BigInteger parseUint(String s) {
        BigInteger v = parseMagnitude(s);
        return v != null && v.compareTo(UINT64_MAX) <= 0 ? v : null;
    }

    private static BigInteger parseMagnitude(String s) {
        if (s.isEmpty()) {
            return null;
        }
        int radix = 10;
        String digits = s;
        if (s.length() >= 2 && s.charAt(0) == '0') {
            char p = Character.toLowerCase(s.charAt(1));
            if (p == 'x') {
                radix = 16;
                digits = s.substring(2);
            } else if (p == 'o') {
                radix = 8;
                digits = s.substring(2);
            } else if (p == 'b') {
                radix = 2;
                digits = s.substring(2);
            } else {
                radix = 8;
                digits = s.substring(1);
            }
        }
        if (digits.isEmpty()) {
            return null;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0 || digits.charAt(i) > 'z') {
                return null;
            }
        }
        return new BigInteger(digits, radix);
    }
}
