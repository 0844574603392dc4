package dev.imagefactory.signing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagefactory.model.Digest;
import java.nio.charset.StandardCharsets;

/**
 * The "simple signing" payload cosign signs for a container image (containers/image's format with cosign's
 * {@code type}): which manifest digest is signed, and under which repository. Verifiers compare
 * {@code critical.image.docker-manifest-digest} with the manifest they pulled and, like containers/image's
 * {@code signedIdentity}, {@code critical.identity.docker-reference} with where they pulled it from.
 */
public final class SimpleSigningPayload {

    /** Media type of the payload layer in a signature manifest. */
    public static final String MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    /** Annotation of that layer carrying the base64 signature. */
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    static final String TYPE = "cosign container image signature";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SimpleSigningPayload() {
    }

    /** The payload for {@code manifest} in {@code dockerReference} ({@code <registry host>/<repository>}). */
    public static byte[] of(String dockerReference, Digest manifest) {
        ObjectNode payload = JSON.createObjectNode();
        ObjectNode critical = payload.putObject("critical");
        critical.putObject("identity").put("docker-reference", dockerReference);
        critical.putObject("image").put("docker-manifest-digest", manifest.toString());
        critical.put("type", TYPE);
        payload.putNull("optional");
        return payload.toString().getBytes(StandardCharsets.UTF_8);
    }
}
