package dev.imagefactory.build.iso;

import dev.imagefactory.model.Quirks;
import dev.imagefactory.content.Reproducible;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every ISO command ends with (talos-imager.md §5.5): native xorriso commands after the {@code --} that ends
 * mkisofs emulation, and the environment that goes with them. The factory always has {@code SOURCE_DATE_EPOCH}
 * ({@link Reproducible#SOURCE_DATE_EPOCH}), so the date pinning is unconditional here.
 */
public final class IsoTrailer {


    private static final DateTimeFormatter UUID_DATE = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private IsoTrailer() {
    }

    /**
     * {@code -volume_date all_file_dates =<epoch> -volume_date uuid <YYYYMMDDhhmmss00>}, then from Talos 1.8
     * {@code -volid <volume ID> -volset-id <label>}.
     */
    public static List<String> args(Quirks quirks, String version) {
        List<String> args = new ArrayList<>(List.of(
                "-volume_date", "all_file_dates", "=" + Reproducible.SOURCE_DATE_EPOCH,
                "-volume_date", "uuid", uuidDate()));
        if (quirks.supportsIsoLabel()) {
            String label = VolumeId.label(version);
            args.addAll(List.of("-volid", VolumeId.of(label), "-volset-id", label));
        }
        return args;
    }

    /** {@code GRUB_FAT_SERIAL_NUMBER}: the epoch as lower-case hex (upstream: {@code 5cf2ef7c}). */
    public static Map<String, String> environment() {
        return Map.of("GRUB_FAT_SERIAL_NUMBER", fatSerial());
    }

    public static String fatSerial() {
        return Long.toHexString(Reproducible.SOURCE_DATE_EPOCH & 0xffffffffL);
    }

    /** The epoch in UTC as xorriso's 16-digit date ({@code 2019060121345200}): whatever the JVM's time zone. */
    static String uuidDate() {
        return UUID_DATE.format(Instant.ofEpochSecond(Reproducible.SOURCE_DATE_EPOCH)) + "00";
    }
}
