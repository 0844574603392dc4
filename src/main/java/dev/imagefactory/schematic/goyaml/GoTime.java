package dev.imagefactory.schematic.goyaml;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YAML timestamp as go-yaml parses it (Go's time.Parse with the four layouts go-yaml tries) and formats it
 * back (RFC 3339 with nanoseconds, trailing zeros trimmed, "Z" for a zero offset as on a UTC host).
 */
public record GoTime(LocalDateTime dateTime, int offsetSeconds, Object zone) {

    /**
     * The time.Location a parsed time carries, which Go's == (and so map-key identity) compares by pointer:
     * UTC for "Z" and zone-less layouts, Local for a zero offset written as +00:00 (Local is UTC on the
     * reference's servers), and a fresh FixedZone, equal to nothing else, for any other offset.
     */
    private static final Object UTC = "UTC";
    private static final Object LOCAL = "Local";

    // 2006-1-2T15:4:5.999999999Z07:00, the same with "t", "2006-1-2 15:4:5.999999999", and "2006-1-2".
    // A space in a layout matches a run of spaces (time.Parse's skip).
    private static final Pattern ZONED = Pattern.compile(
            "(\\d{4})-(\\d{1,2})-(\\d{1,2})[Tt](\\d{1,2}):(\\d{1,2}):(\\d{1,2})(?:[.,](\\d+))?(Z|[+-]\\d{2}:\\d{2})");
    private static final Pattern SPACED = Pattern.compile(
            "(\\d{4})-(\\d{1,2})-(\\d{1,2}) +(\\d{1,2}):(\\d{1,2}):(\\d{1,2})(?:[.,](\\d+))?");
    private static final Pattern DATE = Pattern.compile("(\\d{4})-(\\d{1,2})-(\\d{1,2})");

    static GoTime parse(String s) {
        if (s.length() < 5 || !s.substring(0, 4).chars().allMatch(c -> c >= '0' && c <= '9') || s.charAt(4) != '-') {
            return null;
        }
        try {
            Matcher m = ZONED.matcher(s);
            if (m.matches()) {
                Integer offset = zoneOffset(m.group(8));
                Object zone = m.group(8).equals("Z") ? UTC : offset != null && offset == 0 ? LOCAL : new Object();
                return build(m, offset, zone);
            }
            m = SPACED.matcher(s);
            if (m.matches()) {
                return build(m, 0, UTC);
            }
            m = DATE.matcher(s);
            if (m.matches()) {
                LocalDate date = LocalDate.of(num(m, 1), num(m, 2), num(m, 3));
                return new GoTime(date.atStartOfDay(), 0, UTC);
            }
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    private static GoTime build(Matcher m, Integer offset, Object zone) {
        if (offset == null) {
            return null;
        }
        String fraction = m.group(7);
        int nanos = 0;
        if (fraction != null) {
            // Go keeps nanosecond precision and truncates further digits.
            String nine = (fraction + "000000000").substring(0, 9);
            nanos = Integer.parseInt(nine);
        }
        LocalDate date = LocalDate.of(num(m, 1), num(m, 2), num(m, 3));
        LocalTime time = LocalTime.of(num(m, 4), num(m, 5), num(m, 6), nanos);
        return new GoTime(LocalDateTime.of(date, time), offset, zone);
    }

    private static Integer zoneOffset(String z) {
        if (z.equals("Z")) {
            return 0;
        }
        int hours = Integer.parseInt(z.substring(1, 3));
        int minutes = Integer.parseInt(z.substring(4, 6));
        if (hours > 24 || minutes > 60) {
            return null;
        }
        int seconds = hours * 3600 + minutes * 60;
        return z.charAt(0) == '-' ? -seconds : seconds;
    }

    private static int num(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }

    /** Go's time.RFC3339Nano layout. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d", dateTime.getYear(), dateTime.getMonthValue(),
                dateTime.getDayOfMonth(), dateTime.getHour(), dateTime.getMinute(), dateTime.getSecond()));
        int nanos = dateTime.getNano();
        if (nanos != 0) {
            String f = String.format("%09d", nanos).replaceAll("0+$", "");
            sb.append('.').append(f);
        }
        if (offsetSeconds == 0) {
            sb.append('Z');
        } else {
            int abs = Math.abs(offsetSeconds);
            sb.append(offsetSeconds < 0 ? '-' : '+')
                    .append(String.format("%02d:%02d", abs / 3600, (abs % 3600) / 60));
        }
        return sb.toString();
    }
}
