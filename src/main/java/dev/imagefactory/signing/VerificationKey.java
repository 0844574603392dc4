package dev.imagefactory.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A public key that cosign signatures are checked with: ECDSA on P-256 (cosign's default, SHA-256, DER signature),
 * RSA (PKCS#1 v1.5 or PSS, SHA-256) or Ed25519 (the payload itself is signed), read from a PEM {@code PUBLIC KEY}
 * as {@code cosign generate-key-pair} and {@code openssl pkey -pubout} write it. The JDK reads and verifies: these keys
 * are read at start-up, where BouncyCastle's first use would cost a tenth of a second (issue 20).
 */
public final class VerificationKey {

    /** The first PEM block: its type and its base64 body. */
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** The JDK's key factories of the algorithms cosign keys use (and DSA, so that one is refused by name). */
    private static final List<String> ALGORITHMS = List.of("EC", "RSA", "Ed25519", "DSA");

    private final String name;
    private final PublicKey key;

    private VerificationKey(String name, PublicKey key) {
        this.name = name;
        this.key = key;
    }

    /**
     * Reads the key in {@code file}; {@code setting} (the configuration key naming it) goes into the message of the
     * {@link SigningKeyException} raised when the file cannot be read or holds no supported public key.
     */
    public static VerificationKey load(Path file, String setting) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new SigningKeyException(setting + ": cannot read the public key " + file + ": " + e, e);
        }
        Matcher pem = PEM.matcher(text);
        boolean found = pem.find();
        if (!found || !pem.group(1).equals("PUBLIC KEY")) {
            throw new SigningKeyException(setting + ": " + file + " is not a PEM public key (-----BEGIN PUBLIC KEY-----)"
                    + (found ? ", found " + pem.group(1) : ""));
        }
        PublicKey key;
        try {
            key = publicKey(Base64.getMimeDecoder().decode(pem.group(2)));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new SigningKeyException(setting + ": cannot decode the public key " + file + ": " + e.getMessage(), e);
        }
        if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new SigningKeyException(setting + ": " + file + " is an ECDSA key, but not on P-256 as cosign uses");
        }
        if (!(key instanceof ECPublicKey || key instanceof RSAPublicKey || "Ed25519".equals(key.getAlgorithm())
                || "EdDSA".equals(key.getAlgorithm()))) {
            throw new SigningKeyException(setting + ": " + file + " is a " + key.getAlgorithm()
                    + " key; cosign keys are ECDSA P-256, RSA or Ed25519");
        }
        return new VerificationKey(file.toString(), key);
    }

    /** The SubjectPublicKeyInfo {@code der} as a key of the first algorithm whose factory accepts it. */
    private static PublicKey publicKey(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException refused = new GeneralSecurityException("not a public key of "
                + String.join(", ", ALGORITHMS));
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                refused.addSuppressed(e); // another algorithm's key, or malformed
            }
        }
        throw refused;
    }

    /** Where the key came from, for logs. */
    public String name() {
        return name;
    }

    public String algorithm() {
        return key instanceof ECPublicKey ? "ECDSA P-256" : key instanceof RSAPublicKey ? "RSA" : "Ed25519";
    }

    /** Whether {@code signature} is this key's signature of {@code payload}; a malformed signature is simply false. */
    public boolean verifies(byte[] payload, byte[] signature) {
        for (Signature verifier : verifiers()) {
            try {
                verifier.initVerify(key);
                verifier.update(payload);
                if (verifier.verify(signature)) {
                    return true;
                }
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this scheme's encoding: try the next one, or report false
            }
        }
        return false;
    }

    private List<Signature> verifiers() {
        try {
            if (key instanceof ECPublicKey) {
                return List.of(Signature.getInstance("SHA256withECDSA"));
            }
            if (key instanceof RSAPublicKey) {
                Signature pss = Signature.getInstance("RSASSA-PSS");
                pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                return List.of(Signature.getInstance("SHA256withRSA"), pss);
            }
            return List.of(Signature.getInstance("Ed25519"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks a signature algorithm for " + algorithm(), e);
        }
    }
}
