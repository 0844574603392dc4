package dev.imagefactory.secureboot;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM key material and writes PEM the way Go's {@code encoding/pem} does. Error messages name the file and
 * what was expected, never its content: a private key must not reach a log through an exception.
 */
final class Pem {

    private static final int LINE = 64;

    private Pem() {
    }

    /**
     * Go's {@code pem.Encode} without headers: {@code -----BEGIN TYPE-----}, the standard base64 of the bytes in
     * lines of 64 characters, {@code -----END TYPE-----}, each line ending with a newline.
     */
    static String encode(String type, byte[] der) {
        String base64 = Base64.getEncoder().encodeToString(der);
        StringBuilder out = new StringBuilder(base64.length() + base64.length() / LINE + 2 * type.length() + 40);
        out.append("-----BEGIN ").append(type).append("-----\n");
        for (int i = 0; i < base64.length(); i += LINE) {
            out.append(base64, i, Math.min(base64.length(), i + LINE)).append('\n');
        }
        out.append("-----END ").append(type).append("-----\n");
        return out.toString();
    }

    /** An RSA private key from a PKCS#1 ({@code RSA PRIVATE KEY}) or PKCS#8 ({@code PRIVATE KEY}) PEM file. */
    static RSAPrivateKey readRsaPrivateKey(Path file, String what) {
        Object object = readFirstObject(file, what);
        PrivateKeyInfo info;
        if (object instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else if (object instanceof PrivateKeyInfo plain) {
            info = plain;
        } else if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new KeyMaterialException(what + " (" + file + ") is encrypted; give an unencrypted PEM private key");
        } else {
            throw new KeyMaterialException(what + " (" + file + ") holds no private key; expected a PEM "
                    + "\"RSA PRIVATE KEY\" (PKCS#1) or \"PRIVATE KEY\" (PKCS#8) block");
        }
        if (info == null || !PKCSObjectIdentifiers.rsaEncryption.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
            throw new KeyMaterialException(what + " (" + file + ") is not an RSA key; only RSA keys are supported");
        }
        PrivateKey key;
        try {
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            // the cause is left out on purpose: its message could quote key bytes
            throw new KeyMaterialException(what + " (" + file + ") is not a valid RSA private key");
        }
        if (!(key instanceof RSAPrivateCrtKey crt) || crt.getPublicExponent() == null
                || crt.getPublicExponent().signum() <= 0) {
            throw new KeyMaterialException(what + " (" + file + ") lacks the public part of the RSA key (CRT parameters); "
                    + "give the key as written by openssl genrsa / genpkey");
        }
        if (crt.getModulus().bitLength() < 2048) {
            throw new KeyMaterialException(what + " (" + file + ") is an RSA key of " + crt.getModulus().bitLength()
                    + " bits; at least 2048 bits are required");
        }
        return crt;
    }

    /** The first certificate of a PEM file (a chain file may follow it with intermediates; they are ignored). */
    static X509Certificate readCertificate(Path file, String what) {
        Object object = readFirstObject(file, what);
        if (!(object instanceof X509CertificateHolder holder)) {
            throw new KeyMaterialException(what + " (" + file + ") holds no certificate; expected a PEM \"CERTIFICATE\" block");
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(holder.getEncoded()));
        } catch (CertificateException | IOException e) {
            throw new KeyMaterialException(what + " (" + file + ") is not a valid X.509 certificate: " + e.getMessage(), e);
        }
    }

    private static Object readFirstObject(Path file, String what) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new KeyMaterialException(what + " (" + file + ") does not exist");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new KeyMaterialException(what + " (" + file + ") is not a PEM file (it is not ASCII text)");
        } catch (IOException e) {
            throw new KeyMaterialException(what + " (" + file + ") cannot be read: " + e.getClass().getSimpleName());
        }
        try (Reader reader = new StringReader(text); PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            if (object == null) {
                throw new KeyMaterialException(what + " (" + file + ") contains no PEM block"
                        + (text.isBlank() ? " (the file is empty)" : ""));
            }
            return object;
        } catch (IOException | RuntimeException e) {
            if (e instanceof KeyMaterialException k) {
                throw k;
            }
            // no cause and no message from the parser: it may quote the (key) text it could not parse
            throw new KeyMaterialException(what + " (" + file + ") is not a well-formed PEM file");
        }
    }
}
