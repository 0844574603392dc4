package dev.imagefactory.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Renders a registry error body ({@code {"errors":[{"code","message"}]}}) as one line for messages. */
final class RegistryErrors {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_TEXT = 300;

    private RegistryErrors() {
    }

    static String describe(byte[] body) {
        if (body == null || body.length == 0) {
            return "(no details)";
        }
        try {
            JsonNode errors = MAPPER.readTree(body).path("errors");
            if (errors.isArray() && !errors.isEmpty()) {
                List<String> parts = new ArrayList<>();
                for (JsonNode error : errors) {
                    String code = error.path("code").asText("");
                    String message = error.path("message").asText("");
                    parts.add(code.isEmpty() ? message : message.isEmpty() ? code : code + ": " + message);
                }
                return String.join("; ", parts);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not the distribution error format: show the text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text;
    }
}
