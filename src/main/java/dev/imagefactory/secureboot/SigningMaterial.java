package dev.imagefactory.secureboot;

import dev.imagefactory.content.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The SecureBoot keys of a factory: the Authenticode signing key and its certificate (the one enrolled in db), and
 * the PCR key. The private keys never leave this package: callers sign through {@link PeSigner} and
 * {@link PcrSignature}. {@link #toString()} shows public identifiers only.
 */
public final class SigningMaterial {

    private final X509Certificate certificate;
    private final RSAPrivateKey signingKey;
    private final PcrKey pcrKey;
    private final boolean development;
    private final String fingerprint;

    SigningMaterial(X509Certificate certificate, RSAPrivateKey signingKey, PcrKey pcrKey, boolean development) {
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.signingKey = Objects.requireNonNull(signingKey, "signingKey");
        this.pcrKey = Objects.requireNonNull(pcrKey, "pcrKey");
        this.development = development;
        checkKeyMatchesCertificate(certificate, signingKey);
        this.fingerprint = computeFingerprint(certificate, pcrKey);
    }

    /**
     * Loads PEM files: the signing key (RSA, PKCS#1 or PKCS#8), its X.509 certificate and the PCR key (RSA, PKCS#1
     * or PKCS#8).
     *
     * @throws KeyMaterialException a file is missing or malformed, or the key does not belong to the certificate
     */
    public static SigningMaterial fromFiles(Path signingKey, Path signingCert, Path pcrKey) {
        return fromFiles(signingKey, signingCert, pcrKey, false);
    }

    static SigningMaterial fromFiles(Path signingKey, Path signingCert, Path pcrKey, boolean development) {
        RSAPrivateKey key = Pem.readRsaPrivateKey(signingKey, "signing key");
        X509Certificate cert = Pem.readCertificate(signingCert, "signing certificate");
        PcrKey pcr = PcrKey.fromPem(pcrKey);
        try {
            return new SigningMaterial(cert, key, pcr, development);
        } catch (KeyMaterialException e) {
            throw new KeyMaterialException(e.getMessage() + " (" + signingKey + ", " + signingCert + ")");
        }
    }

    /** The signing certificate, embedded in every Authenticode signature and enrolled in the firmware's db. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** {@link #certificate()} as PEM ({@code CERTIFICATE}, 64-character lines, final newline). */
    public String certificatePem() {
        return Pem.encode("CERTIFICATE", certificateDer());
    }

    public byte[] certificateDer() {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode the signing certificate", e);
        }
    }

    public PcrKey pcrKey() {
        return pcrKey;
    }

    /** Generated development keys (factory.secureboot.dev-keys), not configured ones. */
    public boolean development() {
        return development;
    }

    /**
     * Lower-case hex SHA-256 of the certificate's DER followed by the PCR public key's DER (SubjectPublicKeyInfo):
     * identifies the keys in cache keys, so that rotating either key rebuilds the signed assets.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** Lower-case hex SHA-256 of the certificate's DER, as {@code openssl x509 -fingerprint -sha256} shows it. */
    public String certificateSha256() {
        return HexFormat.of().formatHex(sha256(certificateDer()));
    }

    PrivateKey signingKey() {
        return signingKey;
    }

    private static void checkKeyMatchesCertificate(X509Certificate certificate, RSAPrivateKey key) {
        if (!(certificate.getPublicKey() instanceof RSAPublicKey rsa)) {
            throw new KeyMaterialException("the signing certificate does not hold an RSA public key ("
                    + certificate.getPublicKey().getAlgorithm() + "); only RSA is supported");
        }
        boolean matches = rsa.getModulus().equals(key.getModulus());
        if (matches) {
            // a signature round trip also catches a wrong public exponent
            try {
                byte[] probe = "image-factory key check".getBytes(StandardCharsets.US_ASCII);
                Signature signer = Signature.getInstance("SHA256withRSA");
                signer.initSign(key);
                signer.update(probe);
                byte[] signature = signer.sign();
                Signature verifier = Signature.getInstance("SHA256withRSA");
                verifier.initVerify(rsa);
                verifier.update(probe);
                matches = verifier.verify(signature);
            } catch (GeneralSecurityException e) {
                matches = false;
            }
        }
        if (!matches) {
            throw new KeyMaterialException("the signing key does not belong to the signing certificate (subject "
                    + certificate.getSubjectX500Principal().getName() + ")");
        }
    }

    private static String computeFingerprint(X509Certificate certificate, PcrKey pcrKey) {
        try {
            return HexFormat.of().formatHex(Digests.raw("SHA-256", certificate.getEncoded(),
                    pcrKey.publicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot fingerprint the SecureBoot keys", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        return Digests.raw("SHA-256", data);
    }

    @Override
    public String toString() {
        return "SigningMaterial[certificate=" + certificate.getSubjectX500Principal().getName() + " sha256:"
                + certificateSha256() + ", pcrKey=" + pcrKey + (development ? ", DEVELOPMENT keys" : "") + "]";
    }
}
