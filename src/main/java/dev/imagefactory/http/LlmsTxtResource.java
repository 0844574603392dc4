package dev.imagefactory.http;

import dev.imagefactory.config.FactoryConfig;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /llms.txt}: a plain-text description of the API for tools and language models (the reference's route,
 * <a href="https://llmstxt.org">llmstxt.org</a> layout), in our own words, with this instance's URLs. The text is
 * {@code src/main/resources/llms/llms.txt} with {@code {{FACTORY}}}, {@code {{PXE}}} and {@code {{HOST}}} replaced once
 * at start-up (plain replacement: a Qute template would take the text's many JSON braces for expressions).
 */
@Path("/llms.txt")
public class LlmsTxtResource {

    static final String CONTENT_TYPE = "text/plain; charset=utf-8";

    private final String text;

    public LlmsTxtResource(FactoryConfig config) {
        this.text = render(template(), config.externalUrl(), config.pxeBaseUrl());
    }

    @GET
    @NonBlocking
    @Produces(CONTENT_TYPE)
    @Tag(name = ApiDocumentation.META)
    @Operation(operationId = "getLlmsTxt", summary = "The API described in plain text for tools and language models")
    @APIResponse(responseCode = "200", description = "Markdown-flavoured text with this factory's URLs.",
            content = @Content(mediaType = CONTENT_TYPE, schema = @Schema(type = SchemaType.STRING)))
    public Response get() {
        return Response.ok(text).type(CONTENT_TYPE).build(); // this exact Content-Type, as the reference's
    }

    static String render(String template, String externalUrl, String pxeUrl) {
        return template.replace("{{FACTORY}}", withoutTrailingSlash(externalUrl))
                .replace("{{PXE}}", withoutTrailingSlash(pxeUrl))
                .replace("{{HOST}}", hostOf(externalUrl));
    }

    /** {@code host[:port]} of a URL: how registry clients name this factory. */
    private static String hostOf(String url) {
        try {
            String authority = URI.create(url).getRawAuthority();
            if (authority != null) {
                return authority;
            }
        } catch (IllegalArgumentException e) {
            // not a URI: fall through to the text itself
        }
        return withoutTrailingSlash(url.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", ""));
    }

    private static String withoutTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String template() {
        try (InputStream in = LlmsTxtResource.class.getResourceAsStream("/llms/llms.txt")) {
            if (in == null) {
                throw new IllegalStateException("llms/llms.txt is missing from the application's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
