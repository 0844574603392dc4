package dev.imagefactory.schematic.goyaml;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Go's {@code strconv.FormatFloat(f, 'g', -1, 64)} as go-yaml writes floats (.inf/.nan spelled YAML's way). */
final class GoFloat {
    private GoFloat() {
    }

    static String format(double f) {
        if (Double.isNaN(f)) {
            return ".nan";
        }
        if (Double.isInfinite(f)) {
            return f > 0 ? ".inf" : "-.inf";
        }
        if (f == 0) {
            return (Double.doubleToRawLongBits(f) < 0) ? "-0" : "0";
        }
        // Shortest decimal that round-trips; among equally short ones, the closest (half-even).
        BigDecimal exact = new BigDecimal(Math.abs(f));
        BigDecimal shortest = null;
        for (int p = 1; p <= 17; p++) {
            BigDecimal candidate = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == Math.abs(f)) {
                shortest = candidate;
                break;
            }
        }
        if (shortest == null) {
            shortest = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
        }
        String digits = shortest.unscaledValue().toString().replaceAll("0+$", "");
        if (digits.isEmpty()) {
            digits = "0";
        }
        // decimal point position: value = 0.digits * 10^dp
        int dp = shortest.precision() - shortest.scale();
        int exp = dp - 1;
        StringBuilder sb = new StringBuilder();
        if (f < 0) {
            sb.append('-');
        }
        if (exp < -4 || exp >= 6) { // strconv uses precision 6 for this decision when shortest
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exp < 0 ? '-' : '+');
            int abs = Math.abs(exp);
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        } else if (dp <= 0) {
            sb.append("0.");
            sb.append("0".repeat(-dp));
            sb.append(digits);
        } else if (dp >= digits.length()) {
            sb.append(digits).append("0".repeat(dp - digits.length()));
        } else {
            sb.append(digits, 0, dp).append('.').append(digits, dp, digits.length());
        }
        return sb.toString();
    }
}
