package dev.imagefactory.secureboot;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The Microsoft certificates upstream optionally enrolls next to the factory's own (spec §5.6,
 * {@code includeWellKnownCertificates}), shipped as DER under {@code src/main/resources/secureboot/well-known/}
 * (provenance and hashes: {@code README.md} there). The order is upstream's, i.e. its file names sorted bytewise.
 */
public final class WellKnownCertificates {

    static final String ROOT = "secureboot/well-known/";

    /** KEK additions, in enrollment order. */
    public static final List<String> KEK = List.of(
            "MicCorKEKCA2011_2011-06-24.der",
            "microsoft corporation kek 2k ca 2023.der");

    /** db additions, in enrollment order. */
    public static final List<String> DB = List.of(
            "MicCorUEFCA2011_2011-06-27.der",
            "microsoft option rom uefi ca 2023.der",
            "microsoft uefi ca 2023.der");

    private static volatile List<byte[]> kek;
    private static volatile List<byte[]> db;

    private WellKnownCertificates() {
    }

    /** DER of the KEK additions, in {@link #KEK} order. */
    public static List<byte[]> kek() {
        List<byte[]> certs = kek;
        if (certs == null) {
            certs = load("kek/", KEK);
            kek = certs;
        }
        return copies(certs);
    }

    /** DER of the db additions, in {@link #DB} order. */
    public static List<byte[]> db() {
        List<byte[]> certs = db;
        if (certs == null) {
            certs = load("db/", DB);
            db = certs;
        }
        return copies(certs);
    }

    private static List<byte[]> copies(List<byte[]> certs) {
        List<byte[]> out = new ArrayList<>(certs.size());
        for (byte[] der : certs) {
            out.add(der.clone());
        }
        return List.copyOf(out);
    }

    private static List<byte[]> load(String dir, List<String> names) {
        List<byte[]> out = new ArrayList<>(names.size());
        for (String name : names) {
            String resource = ROOT + dir + name;
            byte[] der;
            try (InputStream in = WellKnownCertificates.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + resource);
                }
                der = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read resource " + resource, e);
            }
            parse(der, resource);
            out.add(der);
        }
        return List.copyOf(out);
    }

    /** Fails early on a damaged resource rather than enrolling garbage. */
    static X509Certificate parse(byte[] der, String what) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalStateException("not a DER X.509 certificate: " + what, e);
        }
    }
}
