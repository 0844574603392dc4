package dev.imagefactory.signing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.OciLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Writes cosign signatures into OCI image layouts the way scripts/build-standin-release does (a signature manifest
 * tagged {@code sha256-<hex>.sig} in index.json), with any key and payload, so tests can sign, re-sign with another
 * key, or attach a signature made for something else. Files that change are replaced, never written through, so a
 * layout made of hard links to the stand-in release leaves the original untouched.
 */
public final class LayoutSignatures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LayoutSignatures() {
    }

    /** The stand-in release's signing key (a committed test key). */
    public static CosignKey standinKey() {
        return CosignKey.load(Path.of("scripts/standin-cosign.key").toAbsolutePath());
    }

    /** The digest the layout's index.json names as its one image. */
    public static Digest root(Path layout) throws IOException {
        return OciLayout.open(layout).index().manifests().get(0).digest();
    }

    /** Signs {@code subject} for {@code reference} with {@code key}, replacing any signature of it in the layout. */
    public static void sign(Path layout, Digest subject, String reference, CosignKey key) throws IOException {
        attach(layout, subject, SimpleSigningPayload.of(reference, subject), key);
    }

    /** Attaches {@code payload}, signed by {@code key}, as the signature of {@code subject}. */
    public static void attach(Path layout, Digest subject, byte[] payload, CosignKey key) throws IOException {
        attach(layout, subject, payload, key.sign(payload));
    }

    /** Attaches {@code payload} with {@code signature} (any scheme) as the signature of {@code subject}. */
    public static void attach(Path layout, Digest subject, byte[] payload, byte[] signature) throws IOException {
        Digest payloadDigest = blob(layout, payload);
        String config = "{\"architecture\":\"\",\"config\":{},\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + payloadDigest + "\"]}}";
        Digest configDigest = blob(layout, config.getBytes(StandardCharsets.UTF_8));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length() + "},\"layers\":[{\"mediaType\":\"" + SimpleSigningPayload.MEDIA_TYPE
                + "\",\"digest\":\"" + payloadDigest + "\",\"size\":" + payload.length + ",\"annotations\":{\""
                + SimpleSigningPayload.SIGNATURE_ANNOTATION + "\":\"" + Base64.getEncoder().encodeToString(signature)
                + "\"}}]}";
        byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
        Digest manifestDigest = blob(layout, manifestBytes);
        String tag = tag(subject);
        ObjectNode index = unsigned(layout, tag);
        ObjectNode entry = ((ArrayNode) index.get("manifests")).addObject();
        entry.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        entry.put("digest", manifestDigest.toString());
        entry.put("size", manifestBytes.length);
        entry.putObject("annotations").put(OciLayout.REF_NAME, tag);
        replace(layout.resolve(OciLayout.INDEX), JSON.writeValueAsBytes(index));
    }

    /** Removes the signature of {@code subject} from the layout's index.json (its blobs stay, unreferenced). */
    public static void remove(Path layout, Digest subject) throws IOException {
        replace(layout.resolve(OciLayout.INDEX), JSON.writeValueAsBytes(unsigned(layout, tag(subject))));
    }

    /** The signature manifest bytes of {@code subject} in the layout. */
    public static byte[] signatureManifest(Path layout, Digest subject) throws IOException {
        return OciLayout.open(layout).signatureManifest(tag(subject)).orElseThrow();
    }

    static String tag(Digest subject) {
        return "sha256-" + subject.hex() + ".sig";
    }

    /** Replaces a file (a new inode: hard-linked copies elsewhere keep their content). */
    public static void replace(Path file, byte[] content) throws IOException {
        Path scratch = file.resolveSibling(file.getFileName() + ".new");
        Files.write(scratch, content);
        Files.move(scratch, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static ObjectNode unsigned(Path layout, String tag) throws IOException {
        ObjectNode index = (ObjectNode) JSON.readTree(layout.resolve(OciLayout.INDEX).toFile());
        ArrayNode manifests = (ArrayNode) index.get("manifests");
        for (int i = manifests.size() - 1; i >= 0; i--) {
            if (tag.equals(manifests.get(i).path("annotations").path(OciLayout.REF_NAME).asText())) {
                manifests.remove(i);
            }
        }
        return index;
    }

    private static Digest blob(Path layout, byte[] content) throws IOException {
        Digest digest = Digests.sha256(content);
        Path file = layout.resolve("blobs/sha256").resolve(digest.hex());
        if (!Files.exists(file)) {
            Files.write(file, content);
        }
        return digest;
    }
}
