package dev.imagefactory.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.BlobSource;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageManifest;
import dev.imagefactory.oci.OciException;
import dev.imagefactory.oci.OciJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Checks an image's key-based cosign signature, the other side of {@link SimpleSigningPayload}: the manifest tagged
 * {@code sha256-<hex>.sig} next to the image holds simple-signing payload layers, each with its base64 signature in
 * the {@code dev.cosignproject.cosign/signature} annotation. One layer must be signed by one of the keys, and its
 * payload must name the pulled digest ({@code critical.image.docker-manifest-digest}) and the pulled repository
 * ({@code critical.identity.docker-reference}; the registry host is not compared, so a mirror may keep the
 * publisher's signatures as {@code cosign copy} does).
 */
public final class CosignVerifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Why an image was refused, in words for the error message, and as a short metric label. */
    public record Rejection(String reason, String label) {
    }

    private CosignVerifier() {
    }

    /** The reason to refuse {@code subject} of {@code repository}; empty when a valid signature was found. */
    public static Optional<Rejection> check(SignatureSource source, String repository, Digest subject,
            List<VerificationKey> keys) throws IOException {
        String tag = subject.algorithm().id() + "-" + subject.hex() + ".sig";
        Optional<byte[]> manifestBytes = source.manifest(tag);
        if (manifestBytes.isEmpty()) {
            return Optional.of(new Rejection("it is not signed (no cosign signature tag " + tag + ")", "unsigned"));
        }
        ImageManifest manifest;
        try {
            manifest = OciJson.manifest(manifestBytes.get(), tag);
        } catch (OciException e) {
            return Optional.of(new Rejection("its signature manifest " + tag + " is malformed: " + e.getMessage(),
                    "malformed"));
        }
        List<String> problems = new ArrayList<>();
        String label = "unsigned";
        for (Descriptor layer : manifest.layers()) {
            String signature = layer.annotations() == null ? null
                    : layer.annotations().get(SimpleSigningPayload.SIGNATURE_ANNOTATION);
            if (!SimpleSigningPayload.MEDIA_TYPE.equals(layer.mediaType()) || signature == null
                    || layer.size() > BlobSource.MAX_DOCUMENT_SIZE) {
                continue;
            }
            byte[] payload = source.blob(layer);
            if (!signedByAny(keys, payload, signature)) {
                problems.add("a signature was made by another key");
                label = "wrong-key";
                continue;
            }
            Optional<Rejection> claims = claims(payload, repository, subject);
            if (claims.isEmpty()) {
                return Optional.empty();
            }
            problems.add(claims.get().reason());
            label = claims.get().label();
        }
        if (problems.isEmpty()) {
            return Optional.of(new Rejection("its signature manifest " + tag + " holds no cosign signature", "unsigned"));
        }
        return Optional.of(new Rejection(String.join("; ", problems), label));
    }

    private static boolean signedByAny(List<VerificationKey> keys, byte[] payload, String signature) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(signature.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return keys.stream().anyMatch(key -> key.verifies(payload, raw));
    }

    /** A verified payload's claims checked against what was pulled. */
    private static Optional<Rejection> claims(byte[] payload, String repository, Digest subject) {
        JsonNode critical;
        try {
            critical = JSON.readTree(payload).path("critical");
        } catch (IOException e) {
            return Optional.of(new Rejection("a signed payload is not JSON", "malformed"));
        }
        String digest = critical.path("image").path("docker-manifest-digest").asText("");
        if (!digest.equals(subject.toString())) {
            return Optional.of(new Rejection("the signature is for another digest (" + digest + ")", "other-digest"));
        }
        String reference = critical.path("identity").path("docker-reference").asText("");
        if (!repositoryPath(reference).equals(repositoryPath(repository))) {
            return Optional.of(new Rejection("the signature names another repository (" + reference + ")",
                    "other-repository"));
        }
        return Optional.empty();
    }

    /** {@code ghcr.io/siderolabs/imager} → {@code siderolabs/imager}: the path below a registry host, if any. */
    static String repositoryPath(String reference) {
        int slash = reference.indexOf('/');
        if (slash > 0) {
            String first = reference.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                return reference.substring(slash + 1);
            }
        }
        return reference;
    }
}
