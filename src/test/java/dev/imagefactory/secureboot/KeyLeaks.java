package dev.imagefactory.secureboot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * Byte patterns that would betray a private key: the PEM body lines as written, the PKCS#1 and PKCS#8 DER and
 * their base64, and the private exponent and primes as raw bytes, hex and decimal.
 */
final class KeyLeaks {

    private record Needle(String what, byte[] bytes) {
    }

    private final String name;
    private final List<Needle> needles = new ArrayList<>();

    private KeyLeaks(String name) {
        this.name = name;
    }

    static KeyLeaks of(Path pemFile) throws IOException {
        KeyLeaks leaks = new KeyLeaks(pemFile.getFileName().toString());
        String pem = Files.readString(pemFile, StandardCharsets.US_ASCII);
        for (String line : pem.split("\n")) {
            if (!line.startsWith("-----") && line.length() >= 20) {
                leaks.text("PEM line", line);
            }
        }
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) Pem.readRsaPrivateKey(pemFile, "test key");
        byte[] pkcs8 = key.getEncoded();
        byte[] pkcs1 = PrivateKeyInfo.getInstance(pkcs8).parsePrivateKey().toASN1Primitive().getEncoded("DER");
        leaks.bytes("PKCS#8 DER", pkcs8);
        leaks.bytes("PKCS#1 DER", pkcs1);
        leaks.base64Windows("PKCS#8 base64", pkcs8);
        leaks.base64Windows("PKCS#1 base64", pkcs1);
        leaks.number("private exponent", key.getPrivateExponent());
        leaks.number("prime p", key.getPrimeP());
        leaks.number("prime q", key.getPrimeQ());
        return leaks;
    }

    private void text(String what, String text) {
        needles.add(new Needle(what, text.getBytes(StandardCharsets.US_ASCII)));
    }

    private void bytes(String what, byte[] bytes) {
        needles.add(new Needle(what, bytes));
        // a 32-byte slice from the middle catches partial dumps too
        int mid = bytes.length / 2;
        needles.add(new Needle(what + " (slice)", Arrays.copyOfRange(bytes, mid, mid + 32)));
    }

    /** Base64 of the DER at each of the three byte alignments, as 40-character windows from the middle. */
    private void base64Windows(String what, byte[] der) {
        for (int shift = 0; shift < 3; shift++) {
            String b64 = Base64.getEncoder().encodeToString(Arrays.copyOfRange(der, shift, der.length));
            int mid = (b64.length() / 2) & ~3;
            text(what + " +" + shift, b64.substring(mid, mid + 40));
        }
    }

    private void number(String what, BigInteger value) {
        byte[] raw = value.toByteArray();
        if (raw[0] == 0) {
            raw = Arrays.copyOfRange(raw, 1, raw.length);
        }
        bytes(what, raw);
        String hex = HexFormat.of().formatHex(raw);
        text(what + " hex", hex.substring(hex.length() / 2 - 24, hex.length() / 2 + 24));
        text(what + " HEX", hex.toUpperCase().substring(hex.length() / 2 - 24, hex.length() / 2 + 24));
        String decimal = value.toString();
        text(what + " decimal", decimal.substring(decimal.length() / 2 - 24, decimal.length() / 2 + 24));
    }

    /** Fails when any pattern occurs in {@code haystack}. */
    void assertAbsentFrom(byte[] haystack, String where) {
        assertTrue(needles.size() > 10);
        for (Needle needle : needles) {
            assertFalse(indexOf(haystack, needle.bytes()) >= 0,
                    name + ": " + needle.what() + " found in " + where);
        }
    }

    void assertAbsentFrom(Path file) throws IOException {
        assertAbsentFrom(Files.readAllBytes(file), file.toString());
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
