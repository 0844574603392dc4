package dev.imagefactory.signing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A Sigstore bundle (v0.3, {@code application/vnd.dev.sigstore.bundle.v0.3+json}) for a downloaded file: a message
 * signature over the file's SHA-256 with the factory's cosign key, and that key named by its hint as the
 * verification material (no certificate, no transparency-log entry: verifiers are given the public key, e.g.
 * {@code cosign verify-blob --key signing-key.pub --bundle <file>.sigstore.json <file>} or
 * {@code openssl dgst -sha256 -verify}). Made from the digest recorded when the file was stored, never by reading
 * it again; the signature is deterministic ({@link CosignKey}), so every request gets the same bytes.
 */
public final class SigstoreBundle {

    public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SigstoreBundle() {
    }

    /** The bundle's JSON for a file whose SHA-256 is {@code sha256Hex}. */
    public static byte[] of(CosignKey key, String sha256Hex) {
        byte[] digest = HexFormat.of().parseHex(sha256Hex);
        Base64.Encoder base64 = Base64.getEncoder();
        ObjectNode bundle = JSON.createObjectNode();
        bundle.put("mediaType", MEDIA_TYPE);
        bundle.putObject("verificationMaterial").putObject("publicKey").put("hint", key.hint());
        ObjectNode signature = bundle.putObject("messageSignature");
        ObjectNode messageDigest = signature.putObject("messageDigest");
        messageDigest.put("algorithm", "SHA2_256");
        messageDigest.put("digest", base64.encodeToString(digest));
        signature.put("signature", base64.encodeToString(key.signDigest(digest)));
        return (bundle.toString() + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
