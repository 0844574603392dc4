package dev.imagefactory.secureboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

/** The shipped Microsoft certificates are the real ones (hashes from the resources' README) and parse as X.509. */
class WellKnownCertificatesTest {

    record Expected(String cn, String organizationTail, String sha256) {
    }

    private static final String OLD = ",O=Microsoft Corporation,L=Redmond,ST=Washington,C=US";
    private static final String NEW = ",O=Microsoft Corporation,C=US";

    static final List<Expected> KEK = List.of(
            new Expected("Microsoft Corporation KEK CA 2011", OLD,
                    "a1117f516a32cefcba3f2d1ace10a87972fd6bbe8fe0d0b996e09e65d802a503"),
            new Expected("Microsoft Corporation KEK 2K CA 2023", NEW,
                    "3cd3f0309edae228767a976dd40d9f4affc4fbd5218f2e8cc3c9dd97e8ac6f9d"));

    static final List<Expected> DB = List.of(
            new Expected("Microsoft Corporation UEFI CA 2011", OLD,
                    "48e99b991f57fc52f76149599bff0a58c47154229b9f8d603ac40d3500248507"),
            new Expected("Microsoft Option ROM UEFI CA 2023", NEW,
                    "e5be3e64c6e66a281457ecdece0d6d0787577aad2a3a0144262c10c14ba8d8f1"),
            new Expected("Microsoft UEFI CA 2023", NEW,
                    "f6124e34125bee3fe6d79a574eaa7b91c0e7bd9d929c1a321178efd611dad901"));

    @Test
    void kekCertificates() throws Exception {
        check(WellKnownCertificates.KEK, WellKnownCertificates.kek(), KEK);
    }

    @Test
    void dbCertificates() throws Exception {
        check(WellKnownCertificates.DB, WellKnownCertificates.db(), DB);
    }

    @Test
    void fileNamesAreInUpstreamOrder() {
        // upstream reads the embedded directory, i.e. names sorted bytewise (upper case before lower case)
        assertEquals(WellKnownCertificates.KEK.stream().sorted().toList(), WellKnownCertificates.KEK);
        assertEquals(WellKnownCertificates.DB.stream().sorted().toList(), WellKnownCertificates.DB);
        assertEquals(List.of("MicCorKEKCA2011_2011-06-24.der", "microsoft corporation kek 2k ca 2023.der"),
                WellKnownCertificates.KEK);
        assertEquals(List.of("MicCorUEFCA2011_2011-06-27.der", "microsoft option rom uefi ca 2023.der",
                "microsoft uefi ca 2023.der"), WellKnownCertificates.DB);
    }

    @Test
    void callersGetCopies() {
        assertNotSame(WellKnownCertificates.db().get(0), WellKnownCertificates.db().get(0));
    }

    private static void check(List<String> names, List<byte[]> ders, List<Expected> expected) throws Exception {
        assertEquals(expected.size(), names.size());
        assertEquals(expected.size(), ders.size());
        for (int i = 0; i < expected.size(); i++) {
            Expected e = expected.get(i);
            byte[] der = ders.get(i);
            X509Certificate cert = WellKnownCertificates.parse(der, names.get(i));
            assertEquals("CN=" + e.cn() + e.organizationTail(),
                    cert.getSubjectX500Principal().getName(X500Principal.RFC2253), names.get(i));
            assertEquals(e.sha256(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der)),
                    names.get(i));
            // the file name says which certificate it is: upstream's 2011 names abbreviate the subject
            String name = names.get(i);
            String cn = e.cn();
            switch (name) {
                case "MicCorKEKCA2011_2011-06-24.der" -> assertEquals("Microsoft Corporation KEK CA 2011", cn);
                case "MicCorUEFCA2011_2011-06-27.der" -> assertEquals("Microsoft Corporation UEFI CA 2011", cn);
                default -> assertEquals(cn.toLowerCase(Locale.ROOT) + ".der", name);
            }
        }
    }
}
