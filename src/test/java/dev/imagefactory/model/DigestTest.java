package dev.imagefactory.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.model.Digest.Algorithm;
import org.junit.jupiter.api.Test;

class DigestTest {

    private static final String HEX = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void parsesAndFormatsTheOciForm() {
        Digest digest = Digest.parse("sha256:" + HEX);
        assertEquals(Algorithm.SHA256, digest.algorithm());
        assertEquals(HEX, digest.hex());
        assertEquals("sha256:" + HEX, digest.toString());
        assertEquals(digest, Digest.sha256Hex(HEX));
        assertEquals("sha512:" + "a".repeat(128), Digest.parse("sha512:" + "a".repeat(128)).toString());
    }

    @Test
    void equalityIsAlgorithmAndHex() {
        assertEquals(Digest.sha256Hex(HEX), Digest.parse("sha256:" + HEX));
        assertEquals(Digest.sha256Hex(HEX).hashCode(), Digest.parse("sha256:" + HEX).hashCode());
        assertNotEquals(Digest.sha256Hex(HEX), Digest.sha256Hex(HEX.replace('a', 'b')));
    }

    @Test
    void refusesWhatCannotBeVerified() {
        assertThrows(IllegalArgumentException.class, () -> Digest.parse(HEX));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("md5:" + HEX.substring(0, 32)));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha384:" + "a".repeat(96)));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:" + HEX.toUpperCase()));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:" + HEX.substring(1)));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha512:" + HEX));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse(null));
    }

    @Test
    void anAlgorithmReadsAsItsIdentifier() {
        assertEquals("sha256-" + HEX, Digest.sha256Hex(HEX).algorithm() + "-" + HEX);
        assertEquals(Algorithm.SHA512, Algorithm.of("sha512"));
    }

    @Test
    void jsonIsTheStringForm() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals("\"sha256:" + HEX + "\"", json.writeValueAsString(Digest.sha256Hex(HEX)));
        assertEquals(Digest.sha256Hex(HEX), json.readValue("\"sha256:" + HEX + "\"", Digest.class));
    }
}
