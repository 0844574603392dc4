package dev.imagefactory.secureboot;

import dev.imagefactory.content.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Development SecureBoot keys ({@code factory.secureboot.dev-keys}): a self-signed RSA-2048 signing certificate and
 * key and an RSA-2048 PCR key, generated once into a directory and reused afterwards. Files are PEM (keys PKCS#1,
 * as {@code talosctl gen secureboot} writes them), mode 0600 in a 0700 directory.
 */
public final class DevelopmentKeys {

    public static final String SIGNING_KEY = "signing-key.pem";
    public static final String SIGNING_CERT = "signing-cert.pem";
    public static final String PCR_KEY = "pcr-key.pem";
    static final String SUBJECT = "CN=Image Factory development SecureBoot signing key (not for production),"
            + "O=Image Factory";
    private static final int BITS = 2048;
    private static final Duration VALIDITY = Duration.ofDays(3650);
    private static final List<String> FILES = List.of(SIGNING_KEY, SIGNING_CERT, PCR_KEY);

    private DevelopmentKeys() {
    }

    /** Whether {@link #loadOrCreate} will generate keys (the directory has none yet). */
    public static boolean absent(Path dir) {
        return FILES.stream().noneMatch(f -> Files.exists(dir.resolve(f)));
    }

    /**
     * Loads the keys in {@code dir}, generating them first when the directory is missing or empty. A directory with
     * only some of the files is refused rather than overwritten.
     */
    public static SigningMaterial loadOrCreate(Path dir) {
        List<String> present = FILES.stream().filter(f -> Files.exists(dir.resolve(f))).toList();
        if (present.isEmpty()) {
            generate(dir);
        } else if (present.size() != FILES.size()) {
            List<String> missing = new ArrayList<>(FILES);
            missing.removeAll(present);
            throw new KeyMaterialException("the development SecureBoot keys in " + dir + " are incomplete (missing "
                    + String.join(", ", missing) + "); delete the directory to generate new keys");
        }
        return SigningMaterial.fromFiles(dir.resolve(SIGNING_KEY), dir.resolve(SIGNING_CERT), dir.resolve(PCR_KEY),
                true);
    }

    /** Writes a new set into a scratch directory next to {@code dir}, then moves it into place in one rename. */
    private static void generate(Path dir) {
        try {
            AtomicFiles.publishDirectory(dir, scratch -> {
                try {
                    SecureRandom random = new SecureRandom();
                    KeyPair signing = rsa(random);
                    KeyPair pcr = rsa(random);
                    X509Certificate cert = selfSigned(signing, random);
                    write(scratch.resolve(SIGNING_KEY), Pem.encode("RSA PRIVATE KEY", pkcs1(signing)));
                    write(scratch.resolve(SIGNING_CERT), Pem.encode("CERTIFICATE", cert.getEncoded()));
                    write(scratch.resolve(PCR_KEY), Pem.encode("RSA PRIVATE KEY", pkcs1(pcr)));
                } catch (GeneralSecurityException | OperatorCreationException e) {
                    throw new IllegalStateException("cannot generate development SecureBoot keys: " + e.getMessage(), e);
                }
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> entries = Files.list(dir)) {
                        if (entries.findAny().isPresent()) {
                            throw new KeyMaterialException(dir + " holds other files; cannot place development keys there");
                        }
                    }
                    Files.delete(dir); // an empty directory (e.g. a mounted volume's) is replaced by the rename
                }
            }, ownerOnly("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write development SecureBoot keys to " + dir, e);
        }
    }

    private static KeyPair rsa(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(BITS, random);
        return generator.generateKeyPair();
    }

    private static X509Certificate selfSigned(KeyPair pair, SecureRandom random)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        Instant now = Instant.now();
        X500Principal subject = new X500Principal(SUBJECT);
        BigInteger serial = new BigInteger(127, random).setBit(126); // positive, 16 bytes
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        // Self-signed and the trust anchor itself (db entry, -CAfile): a CA certificate allowed to sign its own
        // certificate, so OpenSSL-based verifiers accept it as its own issuer; codeSigning for Authenticode.
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
        builder.addExtension(Extension.subjectKeyIdentifier, false,
                extensions.createSubjectKeyIdentifier(pair.getPublic()));
        builder.addExtension(Extension.authorityKeyIdentifier, false,
                extensions.createAuthorityKeyIdentifier(pair.getPublic()));
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
    }

    /** PKCS#1 RSAPrivateKey DER of a JCA RSA key (whose encoding is PKCS#8). */
    private static byte[] pkcs1(KeyPair pair) throws IOException {
        if (!(pair.getPrivate() instanceof RSAPrivateCrtKey)) {
            throw new IllegalStateException("unexpected RSA key type");
        }
        return PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded()).parsePrivateKey().toASN1Primitive()
                .getEncoded("DER");
    }

    private static void write(Path file, String pem) throws IOException {
        try (OutputStream out = Files.newOutputStream(Files.createFile(file, ownerOnly("rw-------")),
                StandardOpenOption.WRITE)) {
            out.write(pem.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static FileAttribute<?>[] ownerOnly(String permissions) {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))};
        }
        return new FileAttribute<?>[0];
    }
}
