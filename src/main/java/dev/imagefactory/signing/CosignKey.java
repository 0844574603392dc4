package dev.imagefactory.signing;

import dev.imagefactory.content.Digests;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * The factory's cosign key: ECDSA on P-256 with SHA-256, as cosign and the reference's {@code cache.signingKeyPath}
 * use it. Signatures are ASN.1 DER and deterministic (RFC 6979, BouncyCastle's {@link HMacDSAKCalculator}): the same
 * digest always gets the same signature, so a signature tag or a Sigstore bundle can be derived again from the
 * digest on any request or replica and is byte-identical every time, with nothing stored.
 */
public final class CosignKey {

    /** File name of a generated development key in its directory. */
    public static final String DEV_KEY_FILE = "cosign-key.pem";
    private static final ASN1ObjectIdentifier P256 = X9ObjectIdentifiers.prime256v1;
    private static final X9ECParameters CURVE = CustomNamedCurves.getByOID(P256);
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(CURVE.getCurve(), CURVE.getG(),
            CURVE.getN(), CURVE.getH());

    private final ECPrivateKeyParameters privateKey;
    private final byte[] publicKeyDer;

    private CosignKey(BigInteger d) {
        this.privateKey = new ECPrivateKeyParameters(d, DOMAIN);
        try {
            byte[] point = DOMAIN.getG().multiply(d).normalize().getEncoded(false);
            this.publicKeyDer = new SubjectPublicKeyInfo(
                    new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, P256), point).getEncoded("DER");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads an ECDSA P-256 private key from a PEM file: PKCS#8 ({@code PRIVATE KEY}, what {@code openssl genpkey}
     * writes) or SEC1 ({@code EC PRIVATE KEY}, {@code openssl ecparam -genkey}). Encrypted keys (cosign's own
     * {@code ENCRYPTED SIGSTORE PRIVATE KEY}) are refused with a message saying so.
     */
    public static CosignKey load(Path file) {
        Object parsed;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(reader)) {
            parsed = pem.readObject();
        } catch (IOException | RuntimeException e) {
            throw new SigningKeyException("cannot read the signing key " + file + ": " + e.getMessage(), e);
        }
        PrivateKeyInfo info;
        if (parsed instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else if (parsed instanceof PrivateKeyInfo plain) {
            info = plain;
        } else {
            throw new SigningKeyException("the signing key " + file + " is not an unencrypted ECDSA P-256 private key "
                    + "in PEM (PRIVATE KEY or EC PRIVATE KEY; e.g. openssl genpkey -algorithm EC -pkeyopt "
                    + "ec_paramgen_curve:P-256)" + (parsed == null ? "" : ", found " + parsed.getClass().getSimpleName()));
        }
        AlgorithmIdentifier algorithm = info.getPrivateKeyAlgorithm();
        ASN1Encodable curve = algorithm.getParameters();
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm()) || curve == null
                || !P256.equals(curve.toASN1Primitive())) {
            throw new SigningKeyException("the signing key " + file + " is not an ECDSA key on P-256 (prime256v1), "
                    + "as cosign signatures need");
        }
        try {
            return new CosignKey(ECPrivateKey.getInstance(info.parsePrivateKey()).getKey());
        } catch (IOException | RuntimeException e) {
            throw new SigningKeyException("cannot parse the signing key " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The development key in {@code dir}, generated there first when absent (PKCS#8 PEM, mode 0600 in a 0700
     * directory, published by an atomic rename so a crash leaves no half-written key).
     */
    public static CosignKey loadOrCreate(Path dir) {
        Path file = dir.resolve(DEV_KEY_FILE);
        if (!Files.exists(file)) {
            generate(dir, file);
        }
        return load(file);
    }

    private static void generate(Path dir, Path file) {
        Path scratch = null;
        try {
            Files.createDirectories(dir, ownerOnly("rwx------"));
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
            scratch = Files.createTempFile(dir, ".tmp-", ".pem", ownerOnly("rw-------"));
            try (OutputStream out = Files.newOutputStream(scratch)) {
                out.write(pem("PRIVATE KEY", pkcs8).getBytes(StandardCharsets.US_ASCII));
            }
            Files.move(scratch, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | GeneralSecurityException e) {
            throw new SigningKeyException("cannot generate the development signing key in " + dir + ": "
                    + e.getMessage(), e);
        } finally {
            if (scratch != null) {
                try {
                    Files.deleteIfExists(scratch);
                } catch (IOException e) {
                    // best effort: a leftover temp file holds no usable key
                }
            }
        }
    }

    /** ASN.1 DER ECDSA signature of a SHA-256 digest (what verifiers check against SHA-256 of the message). */
    public byte[] signDigest(byte[] sha256) {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest is 32 bytes, not " + sha256.length);
        }
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, privateKey);
        BigInteger[] rs = signer.generateSignature(sha256);
        try {
            return new DERSequence(new ASN1Encodable[] {new ASN1Integer(rs[0]), new ASN1Integer(rs[1])})
                    .getEncoded("DER");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ASN.1 DER ECDSA-SHA256 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        return signDigest(HexFormat.of().parseHex(Digests.sha256(message).hex()));
    }

    /** The public key as PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo), what {@code cosign verify --key} reads. */
    public String publicKeyPem() {
        return pem("PUBLIC KEY", publicKeyDer);
    }

    /** The public key's SubjectPublicKeyInfo DER. */
    public byte[] publicKeyDer() {
        return publicKeyDer.clone();
    }

    /** A stable name of the key for bundles: base64 of the SHA-256 of its SubjectPublicKeyInfo DER. */
    public String hint() {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(Digests.sha256(publicKeyDer).hex()));
    }

    private static String pem(String type, byte[] der) {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static FileAttribute<?>[] ownerOnly(String permissions) {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))};
        }
        return new FileAttribute<?>[0];
    }
}
