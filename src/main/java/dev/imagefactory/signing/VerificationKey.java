package dev.imagefactory.signing;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A public key that cosign signatures are checked with: ECDSA on P-256 (cosign's default, SHA-256, DER signature),
 * RSA (PKCS#1 v1.5 or PSS, SHA-256) or Ed25519 (the payload itself is signed), read from a PEM {@code PUBLIC KEY}
 * as {@code cosign generate-key-pair} and {@code openssl pkey -pubout} write it. The JDK verifies; BouncyCastle only
 * reads the PEM.
 */
public final class VerificationKey {

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
        Object parsed;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(reader)) {
            parsed = pem.readObject();
        } catch (IOException | RuntimeException e) {
            throw new SigningKeyException(setting + ": cannot read the public key " + file + ": " + e, e);
        }
        if (!(parsed instanceof SubjectPublicKeyInfo info)) {
            throw new SigningKeyException(setting + ": " + file + " is not a PEM public key (-----BEGIN PUBLIC KEY-----)"
                    + (parsed == null ? "" : ", found " + parsed.getClass().getSimpleName()));
        }
        PublicKey key;
        try {
            key = new JcaPEMKeyConverter().getPublicKey(info);
        } catch (IOException | RuntimeException e) {
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
