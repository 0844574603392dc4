package dev.imagefactory.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * Reads and writes image JSON documents. Unknown fields are ignored (newer spec fields, vendor extras); a missing
 * {@code mediaType} is filled from the document's shape so callers can dispatch on it.
 */
public final class OciJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private OciJson() {
    }

    public static byte[] write(Object document) {
        try {
            return MAPPER.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + document, e);
        }
    }

    public static ImageIndex index(byte[] json, String where) throws OciException {
        return read(json, ImageIndex.class, where);
    }

    public static ImageManifest manifest(byte[] json, String where) throws OciException {
        ImageManifest manifest = read(json, ImageManifest.class, where);
        if (manifest.config() == null) {
            throw new OciException(where + ": image manifest without config");
        }
        return manifest;
    }

    public static ImageConfig config(byte[] json, String where) throws OciException {
        return read(json, ImageConfig.class, where);
    }

    /**
     * The media type of a manifest document: its {@code mediaType} field, else the transport's content type, else
     * guessed from the fields (OCI made the field optional).
     */
    public static String mediaTypeOf(byte[] json, String contentType, String where) throws OciException {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new OciException(where + ": not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new OciException(where + ": not a JSON object");
        }
        if (node.hasNonNull("mediaType")) {
            return node.get("mediaType").asText();
        }
        if (contentType != null && (MediaTypes.isIndex(contentType) || MediaTypes.isManifest(contentType))) {
            return contentType;
        }
        if (node.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (node.has("config") && node.has("layers")) {
            return MediaTypes.OCI_MANIFEST;
        }
        throw new OciException(where + ": neither an image index nor an image manifest");
    }

    static <T> T read(byte[] json, Class<T> type, String where) throws OciException {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new OciException(where + ": empty document");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new OciException(where + ": invalid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new OciException(where + ": cannot read " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
