package dev.imagefactory.build;

import dev.imagefactory.model.Quirks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.schematic.Schematic.MetaValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class MetaEncodingTest {

    private static final MetaValue EXTERNAL_IPS = new MetaValue(10, "{\"externalIPs\":[\"1.2.3.4\"]}");

    @Test
    void specExample() {
        assertEquals("MHhhPXsiZXh0ZXJuYWxJUHMiOlsiMS4yLjMuNCJdfQ==", MetaEncoding.encode(List.of(EXTERNAL_IPS), true));
        assertEquals("MHhhPXsiZXh0ZXJuYWxJUHMiOlsiMS4yLjMuNCJdfQ==", MetaEncoding.encode(List.of(EXTERNAL_IPS), false));
        assertEquals("0xa={\"externalIPs\":[\"1.2.3.4\"]}", MetaEncoding.text(List.of(EXTERNAL_IPS)));
    }

    @Test
    void keysAreLowercaseHexWithoutPaddingAndValuesJoinWithSemicolons() {
        assertEquals("0x0=a;0xf=b;0x11=dual-boot;0xff=", MetaEncoding.text(List.of(
                new MetaValue(0, "a"), new MetaValue(15, "b"), new MetaValue(17, "dual-boot"), new MetaValue(255, ""))));
        assertEquals("", MetaEncoding.encode(List.of(), true));
        assertThrows(IllegalArgumentException.class, () -> MetaEncoding.text(List.of(new MetaValue(256, "x"))));
    }

    @Test
    void exactly256BytesStayUncompressed() {
        String value = "x".repeat(256 - "0xa=".length());
        String encoded = MetaEncoding.encode(List.of(new MetaValue(10, value)), true);
        assertEquals("0xa=" + value, new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
    }

    @Test
    void longValuesAreGzippedWithGoHeaderBytesAndRoundTrip() throws IOException {
        String value = "{\"addresses\":[" + "\"10.0.0.1/24\",".repeat(40) + "\"10.0.0.2/24\"]}";
        List<MetaValue> values = List.of(new MetaValue(10, value), new MetaValue(0xc, "ünïcode"));
        String expectedText = "0xa=" + value + ";0xc=ünïcode";

        byte[] decoded = Base64.getDecoder().decode(MetaEncoding.encode(values, true));
        // Go's compress/gzip header: magic, deflate, no flags, mtime 0, XFL 2 (best compression), OS 255 (unknown)
        assertArrayEquals(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, (byte) 0xff}, Arrays.copyOf(decoded, 10));
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(decoded))) {
            assertEquals(expectedText, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        // trailer: ISIZE is the text length, little-endian
        int n = decoded.length;
        int isize = (decoded[n - 4] & 0xff) | (decoded[n - 3] & 0xff) << 8 | (decoded[n - 2] & 0xff) << 16
                | (decoded[n - 1] & 0xff) << 24;
        assertEquals(expectedText.getBytes(StandardCharsets.UTF_8).length, isize);
    }

    @Test
    void oldVersionsGetLongValuesUncompressed() {
        String value = "y".repeat(600);
        List<MetaValue> values = List.of(new MetaValue(10, value));
        String old = MetaEncoding.encode(values, Quirks.of(TalosVersion.of(1, 6, 2)));
        assertEquals("0xa=" + value, new String(Base64.getDecoder().decode(old), StandardCharsets.UTF_8));
        String current = MetaEncoding.encode(values, Quirks.of(TalosVersion.of(1, 6, 3)));
        assertEquals(0x1f, Base64.getDecoder().decode(current)[0]);
    }
}
