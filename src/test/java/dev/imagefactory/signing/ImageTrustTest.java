package dev.imagefactory.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.errors.UntrustedSourceImageException;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.OciLayout;
import dev.imagefactory.oci.OciLayoutWriter;
import dev.imagefactory.oci.Platform;
import dev.imagefactory.oci.TarLayer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key-based cosign verification of an image in an OCI layout (a signature tagged {@code sha256-<hex>.sig} in
 * index.json): accepted when signed by a configured key (ECDSA P-256, RSA, Ed25519 as PEM public keys) for that digest
 * and repository; refused, naming the image and the reason, when unsigned, signed by another key, for another digest
 * or another repository. Refusals are counted by reason and not remembered; acceptances are.
 */
class ImageTrustTest {

    private static final String REPOSITORY = "localhost/acme/tool";

    @TempDir
    Path dir;

    private Path layout;
    private Digest image;
    private final List<String> refusals = new ArrayList<>();

    @BeforeEach
    void writeAnImage() {
        OciLayoutWriter writer = new OciLayoutWriter(dir.resolve("layout"));
        Descriptor manifest = writer.image(Platform.linux("amd64"),
                List.of(new TarLayer().file("hello.txt", 0644, "hello")), TarLayer.Compression.GZIP);
        Descriptor index = writer.index(List.of(manifest));
        writer.root(index);
        layout = writer.dir();
        image = index.digest();
    }

    @Test
    void anImageSignedByTheStandinKeyForItsDigestAndRepositoryIsAccepted() throws IOException {
        LayoutSignatures.sign(layout, image, REPOSITORY, LayoutSignatures.standinKey());
        ImageTrust trust = trust(List.of(key("scripts/standin-cosign.pub")));
        trust.verify("acme/tool", REPOSITORY, image, source());
        assertEquals(List.of(), refusals);
        // the layout's images exclude the signature entry
        assertEquals(List.of(image), OciLayout.open(layout).index().manifests().stream().map(Descriptor::digest).toList());
    }

    @Test
    void anUnsignedImageIsRefusedNamingTheImage() {
        UntrustedSourceImageException e = refused(trust(List.of(key("scripts/standin-cosign.pub"))));
        assertTrue(e.getMessage().contains("acme/tool@" + image) && e.getMessage().contains("not signed"), e.getMessage());
        assertEquals(List.of("unsigned"), refusals);
    }

    @Test
    void aSignatureByAnotherKeyIsRefused() throws IOException {
        LayoutSignatures.sign(layout, image, REPOSITORY, CosignKey.loadOrCreate(dir.resolve("other")));
        UntrustedSourceImageException e = refused(trust(List.of(key("scripts/standin-cosign.pub"))));
        assertTrue(e.getMessage().contains("another key"), e.getMessage());
        assertEquals(List.of("wrong-key"), refusals);
    }

    @Test
    void aValidSignatureOfAnotherDigestIsRefused() throws IOException {
        Digest other = Digest.sha256Hex("0".repeat(64));
        LayoutSignatures.attach(layout, image, SimpleSigningPayload.of(REPOSITORY, other), LayoutSignatures.standinKey());
        UntrustedSourceImageException e = refused(trust(List.of(key("scripts/standin-cosign.pub"))));
        assertTrue(e.getMessage().contains("another digest (" + other + ")"), e.getMessage());
        assertEquals(List.of("other-digest"), refusals);
    }

    @Test
    void aSignatureNamingAnotherRepositoryIsRefusedButAnotherRegistryHostIsNot() throws IOException {
        ImageTrust trust = trust(List.of(key("scripts/standin-cosign.pub")));
        LayoutSignatures.sign(layout, image, "localhost/acme/other", LayoutSignatures.standinKey());
        UntrustedSourceImageException e = refused(trust);
        assertTrue(e.getMessage().contains("another repository (localhost/acme/other)"), e.getMessage());
        // a mirror keeps the publisher's signature: the host part is not compared
        LayoutSignatures.sign(layout, image, "ghcr.io/acme/tool", LayoutSignatures.standinKey());
        trust.verify("acme/tool", REPOSITORY, image, source());
    }

    @Test
    void rsaAndEd25519KeysVerifyTheirSignatures() throws Exception {
        for (String algorithm : List.of("RSA", "Ed25519")) {
            KeyPair pair = KeyPairGenerator.getInstance(algorithm).generateKeyPair();
            Path pem = dir.resolve(algorithm + ".pub");
            Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                            pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
            byte[] payload = SimpleSigningPayload.of(REPOSITORY, image);
            LayoutSignatures.attach(layout, image, payload, sign(pair.getPrivate(), algorithm, payload));
            VerificationKey key = VerificationKey.load(pem, "factory.releases.verify.keys");
            trust(List.of(key)).verify("acme/tool", REPOSITORY, image, source());
            // and the stand-in key alone does not accept what they signed
            refused(trust(List.of(key("scripts/standin-cosign.pub"))));
        }
    }

    @Test
    void aKeyThatCannotBeReadNamesTheSetting() throws IOException {
        SigningKeyException missing = assertThrows(SigningKeyException.class,
                () -> VerificationKey.load(dir.resolve("absent.pub"), "factory.releases.verify.keys"));
        assertTrue(missing.getMessage().startsWith("factory.releases.verify.keys: "), missing.getMessage());
        Path privateKey = Path.of("scripts/standin-cosign.key");
        SigningKeyException wrong = assertThrows(SigningKeyException.class,
                () -> VerificationKey.load(privateKey, "factory.releases.verify.keys"));
        assertTrue(wrong.getMessage().contains("not a PEM public key"), wrong.getMessage());
        assertTrue(wrong.getMessage().endsWith("found PRIVATE KEY"), wrong.getMessage());
    }

    @Test
    void aPublicKeyOfAnotherAlgorithmIsRefusedByName() throws Exception {
        Path pem = dir.resolve("dsa.pub");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                KeyPairGenerator.getInstance("DSA").generateKeyPair().getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        SigningKeyException e = assertThrows(SigningKeyException.class,
                () -> VerificationKey.load(pem, "factory.releases.verify.keys"));
        assertTrue(e.getMessage().endsWith("is a DSA key; cosign keys are ECDSA P-256, RSA or Ed25519"), e.getMessage());
    }

    @Test
    void verificationOffAcceptsAnything() {
        ImageTrust.OFF.verify("acme/tool", REPOSITORY, image, source());
    }

    private UntrustedSourceImageException refused(ImageTrust trust) {
        return assertThrows(UntrustedSourceImageException.class,
                () -> trust.verify("localhost/acme/tool@" + image, REPOSITORY, image, source()));
    }

    private ImageTrust trust(List<VerificationKey> keys) {
        return new ImageTrust(keys, true, refusals::add);
    }

    private static VerificationKey key(String file) {
        return VerificationKey.load(Path.of(file), "factory.releases.verify.keys");
    }

    private SignatureSource source() {
        return new SignatureSource() {
            @Override
            public Optional<byte[]> manifest(String tag) throws IOException {
                return OciLayout.open(layout).signatureManifest(tag);
            }

            @Override
            public byte[] blob(Descriptor descriptor) throws IOException {
                return OciLayout.open(layout).readDocument(descriptor);
            }
        };
    }

    private static byte[] sign(PrivateKey key, String algorithm, byte[] payload) throws Exception {
        Signature signer = Signature.getInstance(algorithm.equals("RSA") ? "SHA256withRSA" : "Ed25519");
        signer.initSign(key);
        signer.update(payload);
        return signer.sign();
    }
}
