package dev.imagefactory.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A cosign signature as a verifier sees it — the simple-signing payload of a {@code sha256-<digest>.sig} tag and the
 * signature from its layer's annotation — checked the way cosign and containers/image check it, with OpenSSL for the
 * cryptography (no service code).
 */
public record CosignSignature(byte[] payload, byte[] signature) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Why this does not sign {@code manifest} in {@code dockerReference} with {@code publicKey}; empty when it does.
     * The payload must name exactly that manifest digest and repository, and the signature over the payload must
     * verify with the key.
     */
    public Optional<String> failure(Digest manifest, String dockerReference, Path publicKey) throws IOException {
        JsonNode critical = JSON.readTree(payload).path("critical");
        if (!"cosign container image signature".equals(critical.path("type").asText())) {
            return Optional.of("type " + critical.path("type"));
        }
        String signedDigest = critical.at("/image/docker-manifest-digest").asText();
        if (!manifest.toString().equals(signedDigest)) {
            return Optional.of("digest: signs " + signedDigest + ", not " + manifest);
        }
        String reference = critical.at("/identity/docker-reference").asText();
        if (!dockerReference.equals(reference)) {
            return Optional.of("reference: signs " + reference + ", not " + dockerReference);
        }
        Path file = Files.createTempFile("payload", ".json");
        try {
            Files.write(file, payload);
            return Openssl.verifies(publicKey, signature, file) ? Optional.empty() : Optional.of("signature");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
