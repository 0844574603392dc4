package dev.imagefactory.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cosign key, its signatures and the Sigstore bundles, each checked by OpenSSL ({@link Openssl}), which shares no
 * code with the service: keys openssl made are read, the public key matches what openssl derives, signatures verify
 * with openssl and fail with another key or a flipped byte.
 */
class CosignKeyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void readsOpensslKeysInBothPemFormsAndDerivesTheSamePublicKey() throws Exception {
        Path pkcs8 = Openssl.newP256Key(dir.resolve("pkcs8.pem"));
        Path sec1 = dir.resolve("sec1.pem");
        Openssl.openssl("ec", "-in", pkcs8.toString(), "-out", sec1.toString()); // "EC PRIVATE KEY"
        assertTrue(Files.readString(sec1).contains("BEGIN EC PRIVATE KEY"));
        String expected = Files.readString(Openssl.publicKeyOf(pkcs8, dir.resolve("pub.pem")));
        assertEquals(expected, CosignKey.load(pkcs8).publicKeyPem());
        assertEquals(expected, CosignKey.load(sec1).publicKeyPem());
    }

    @Test
    void signaturesVerifyWithOpensslAreDeterministicAndFailOtherwise() throws Exception {
        Path keyFile = Openssl.newP256Key(dir.resolve("key.pem"));
        CosignKey key = CosignKey.load(keyFile);
        Path publicKey = Openssl.publicKeyOf(keyFile, dir.resolve("pub.pem"));
        Path message = Files.write(dir.resolve("message"), "installer payload".getBytes(StandardCharsets.UTF_8));
        byte[] signature = key.sign(Files.readAllBytes(message));

        assertTrue(Openssl.verifies(publicKey, signature, message));
        assertArrayEquals(signature, key.sign(Files.readAllBytes(message)), "RFC 6979: the same message, the same signature");
        Path other = Openssl.publicKeyOf(Openssl.newP256Key(dir.resolve("other.pem")), dir.resolve("other-pub.pem"));
        assertFalse(Openssl.verifies(other, signature, message), "another key");
        Path flipped = Files.write(dir.resolve("flipped"), "installer paylaad".getBytes(StandardCharsets.UTF_8));
        assertFalse(Openssl.verifies(publicKey, signature, flipped), "another message");
    }

    @Test
    void developmentKeyIsGeneratedOnceOwnerOnlyAndReused() throws Exception {
        Path keys = dir.resolve("data/signing");
        CosignKey first = CosignKey.loadOrCreate(keys);
        Path file = keys.resolve(CosignKey.DEV_KEY_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
        assertEquals(first.publicKeyPem(), CosignKey.loadOrCreate(keys).publicKeyPem(), "reused, not regenerated");
        assertEquals(Files.readString(Openssl.publicKeyOf(file, dir.resolve("pub.pem"))), first.publicKeyPem());
        try (var entries = Files.list(keys)) {
            assertEquals(1, entries.count(), "no temporary file is left");
        }
    }

    @Test
    void refusesKeysCosignCannotUseWithTheReason() throws Exception {
        Path p384 = dir.resolve("p384.pem");
        Openssl.openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", p384.toString());
        assertTrue(assertThrows(SigningKeyException.class, () -> CosignKey.load(p384)).getMessage()
                .contains("not an ECDSA key on P-256"));
        Path rsa = dir.resolve("rsa.pem");
        Openssl.openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa.toString());
        assertTrue(assertThrows(SigningKeyException.class, () -> CosignKey.load(rsa)).getMessage()
                .contains("not an ECDSA key on P-256"));
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key\n");
        assertTrue(assertThrows(SigningKeyException.class, () -> CosignKey.load(garbage)).getMessage()
                .contains("is not an unencrypted ECDSA P-256 private key"));
        Path missing = dir.resolve("missing.pem");
        assertTrue(assertThrows(SigningKeyException.class, () -> CosignKey.load(missing)).getMessage()
                .contains("cannot read the signing key " + missing));
    }

    @Test
    void bundleSignsTheFilesDigestAndOpensslVerifiesItAgainstTheFile() throws Exception {
        Path keyFile = Openssl.newP256Key(dir.resolve("key.pem"));
        Path publicKey = Openssl.publicKeyOf(keyFile, dir.resolve("pub.pem"));
        CosignKey key = CosignKey.load(keyFile);
        byte[] content = new byte[100_000];
        new java.util.Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("kernel-amd64"), content);
        Digest sha256 = Digests.sha256(content);

        byte[] bundleBytes = SigstoreBundle.of(key, sha256.hex());
        JsonNode bundle = JSON.readTree(bundleBytes);
        assertEquals("application/vnd.dev.sigstore.bundle.v0.3+json", bundle.path("mediaType").asText());
        assertEquals(key.hint(), bundle.at("/verificationMaterial/publicKey/hint").asText());
        assertEquals("SHA2_256", bundle.at("/messageSignature/messageDigest/algorithm").asText());
        assertEquals(sha256.hex(), HexFormat.of().formatHex(
                Base64.getDecoder().decode(bundle.at("/messageSignature/messageDigest/digest").asText())));
        byte[] signature = Base64.getDecoder().decode(bundle.at("/messageSignature/signature").asText());
        assertTrue(Openssl.verifies(publicKey, signature, file));
        assertArrayEquals(bundleBytes, SigstoreBundle.of(key, sha256.hex()), "the same bundle on every request");

        content[54_321] ^= 1;
        Path flipped = Files.write(dir.resolve("flipped"), content);
        assertFalse(Openssl.verifies(publicKey, signature, flipped), "one flipped byte");
    }

    @Test
    void simpleSigningPayloadNamesDigestAndRepository() throws Exception {
        Digest digest = Digests.sha256("index".getBytes(StandardCharsets.UTF_8));
        JsonNode payload = JSON.readTree(SimpleSigningPayload.of("factory.example/metal-installer/abc", digest));
        assertEquals("factory.example/metal-installer/abc", payload.at("/critical/identity/docker-reference").asText());
        assertEquals(digest.toString(), payload.at("/critical/image/docker-manifest-digest").asText());
        assertEquals("cosign container image signature", payload.at("/critical/type").asText());
        assertTrue(payload.get("optional").isNull());
    }
}
