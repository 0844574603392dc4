package dev.imagefactory.secureboot;

import dev.imagefactory.content.Digests;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A GUID as UEFI stores it. The canonical text form ({@code 8-4-4-4-12} hex digits) reads as an RFC 4122 UUID; on
 * disk UEFI writes the first three fields little-endian and the last eight bytes as they are ("mixed-endian"):
 * {@code a5c059a1-94e4-4aa7-87b5-ab155c2bf072} is written {@code a1 59 c0 a5 e4 94 a7 4a 87 b5 ab 15 5c 2b f0 72}.
 */
public final class EfiGuid {

    // before the constants below, which parse() during class initialization
    private static final Pattern TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** {@code EFI_CERT_X509_GUID}: a signature list of DER X.509 certificates. */
    public static final EfiGuid CERT_X509 = parse("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
    /** {@code EFI_CERT_TYPE_PKCS7_GUID}: the {@code CertType} of a {@code WIN_CERTIFICATE_UEFI_GUID} holding PKCS#7. */
    public static final EfiGuid CERT_TYPE_PKCS7 = parse("4aafd29d-68df-49ee-8aa9-347d375665a7");
    /** {@code EFI_GLOBAL_VARIABLE}: vendor GUID of PK and KEK. */
    public static final EfiGuid GLOBAL_VARIABLE = parse("8be4df61-93ca-11d2-aa0d-00e098032b8c");
    /** {@code EFI_IMAGE_SECURITY_DATABASE_GUID}: vendor GUID of db (and dbx). */
    public static final EfiGuid IMAGE_SECURITY_DATABASE = parse("d719b2cb-3d3a-4596-a3bc-dad00e67656f");
    /** The signature owner Microsoft uses for its certificates in KEK and db (as upstream enrolls them). */
    public static final EfiGuid MICROSOFT_OWNER = parse("77fa9abd-0359-4d32-bd60-28f4e78f784b");
    /** RFC 4122 name space for X.500 distinguished names. */
    public static final EfiGuid NAMESPACE_X500 = parse("6ba7b814-9dad-11d1-80b4-00c04fd430c8");

    /** The 16 bytes in RFC 4122 (big-endian, text) order. */
    private final byte[] rfc;

    private EfiGuid(byte[] rfc) {
        this.rfc = rfc;
    }

    /** Parses {@code 8-4-4-4-12} hex text (either case). */
    public static EfiGuid parse(String text) {
        if (text == null || !TEXT.matcher(text).matches()) {
            throw new IllegalArgumentException("not a GUID: " + text);
        }
        return new EfiGuid(HexFormat.of().parseHex(text.replace("-", "")));
    }

    /**
     * The name-based GUID upstream derives the signature owner from (google/uuid {@code NewHash(sha256, space, name,
     * 4)}): SHA-256 over the name space's 16 bytes (text order) followed by {@code name}, truncated to 16 bytes,
     * then the version nibble set to 4 and the RFC 4122 variant bits to {@code 10}. Version 4 is unusual for a
     * name-based UUID (SHA-1 ones are 5), but it is what upstream writes.
     */
    public static EfiGuid nameBasedSha256(EfiGuid namespace, byte[] name) {
        byte[] bytes = Arrays.copyOf(Digests.raw("SHA-256", namespace.rfc, name), 16);
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40);
        bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
        return new EfiGuid(bytes);
    }

    /** The 16 bytes as UEFI stores them (first three fields little-endian). */
    public byte[] toBytes() {
        byte[] out = rfc.clone();
        reverse(out, 0, 4);
        reverse(out, 4, 2);
        reverse(out, 6, 2);
        return out;
    }

    private static void reverse(byte[] b, int offset, int length) {
        for (int i = 0, j = length - 1; i < j; i++, j--) {
            byte t = b[offset + i];
            b[offset + i] = b[offset + j];
            b[offset + j] = t;
        }
    }

    /** Lower-case {@code 8-4-4-4-12} text. */
    @Override
    public String toString() {
        String hex = HexFormat.of().formatHex(rfc);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EfiGuid other && Arrays.equals(rfc, other.rfc);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(rfc);
    }
}
