package dev.imagefactory.secureboot;

import dev.imagefactory.content.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.HexFormat;

/**
 * The RSA key that signs the PCR 11 policy of a UKI ({@code .pcrsig}); its public half is the UKI's
 * {@code .pcrpkey} section. {@link #toString()} shows only the public fingerprint.
 */
public final class PcrKey {

    private final RSAPrivateCrtKey privateKey;
    private final RSAPublicKey publicKey;
    private final String pkfp;

    private PcrKey(RSAPrivateCrtKey privateKey) {
        this.privateKey = privateKey;
        try {
            this.publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new KeyMaterialException("cannot derive the public PCR key");
        }
        this.pkfp = HexFormat.of().formatHex(sha256(pkcs1PublicKey()));
    }

    /** Reads a PKCS#1 ({@code RSA PRIVATE KEY}) or PKCS#8 ({@code PRIVATE KEY}) PEM file. */
    public static PcrKey fromPem(Path file) {
        return new PcrKey((RSAPrivateCrtKey) Pem.readRsaPrivateKey(file, "PCR key"));
    }

    static PcrKey of(RSAPrivateCrtKey key) {
        return new PcrKey(key);
    }

    public RSAPublicKey publicKey() {
        return publicKey;
    }

    /**
     * The content of the UKI's {@code .pcrpkey} section: PEM {@code PUBLIC KEY} (PKIX SubjectPublicKeyInfo DER), 64
     * characters a line and a final newline, as Go's {@code pem.EncodeToMemory} writes it.
     */
    public byte[] pcrpkey() {
        return Pem.encode("PUBLIC KEY", publicKey.getEncoded()).getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code pkfp} of the {@code .pcrsig} JSON: lower-case hex SHA-256 of the PKCS#1 DER public key. */
    public String pkfp() {
        return pkfp;
    }

    /** PKCS#1 {@code RSAPublicKey} DER: SEQUENCE { modulus, publicExponent }. */
    byte[] pkcs1PublicKey() {
        try {
            return new org.bouncycastle.asn1.pkcs.RSAPublicKey(publicKey.getModulus(), publicKey.getPublicExponent())
                    .getEncoded("DER");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot encode the PCR public key", e);
        }
    }

    /** Bytes of every signature of this key: an RSA signature is always as long as the modulus. */
    int signatureLength() {
        return (publicKey.getModulus().bitLength() + 7) / 8;
    }

    /** RSA PKCS#1 v1.5 signature of {@code data} hashed with the JCA digest named ({@code SHA256}, ...). */
    byte[] sign(String jcaDigest, byte[] data) {
        try {
            Signature signature = Signature.getInstance(jcaDigest + "withRSA");
            signature.initSign(privateKey);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PCR policy signature failed: " + e.getClass().getSimpleName());
        }
    }

    private static byte[] sha256(byte[] data) {
        return Digests.raw("SHA-256", data);
    }

    @Override
    public String toString() {
        return "PcrKey[RSA-" + publicKey.getModulus().bitLength() + ", pkfp=" + pkfp + "]";
    }
}
