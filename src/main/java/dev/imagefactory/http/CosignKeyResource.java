package dev.imagefactory.http;

import dev.imagefactory.signing.SigningKeys;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;

/**
 * {@code GET /oci/cosign/signing-key.pub} (reference route): the public half of the key that signs installer images
 * ({@code sha256-<digest>.sig} tags) and download bundles ({@code .sigstore.json}), for {@code cosign verify --key}.
 */
@Path("/oci/cosign")
public class CosignKeyResource {

    private final SigningKeys keys;

    public CosignKeyResource(SigningKeys keys) {
        this.keys = keys;
    }

    @GET
    @Path("/signing-key.pub")
    @Produces(SecureBootResource.PEM_FILE)
    @Tag(name = ApiDocumentation.META)
    @Operation(operationId = "getCosignSigningKey", summary = "The public key installer images and bundles are signed with",
            description = """
                    PEM `PUBLIC KEY` (ECDSA P-256) of `factory.signing.key`, or of the development key generated into
                    `<data-dir>/signing/` when that is unset. Verifies the cosign signature tags of installer images
                    (`cosign verify --key signing-key.pub <factory>/metal-installer/<id>:<version>`) and the
                    `.sigstore.json` bundles of `/image` downloads.""")
    @APIResponse(responseCode = "200", description = "The key (`-----BEGIN PUBLIC KEY-----` …).",
            content = @Content(mediaType = SecureBootResource.PEM_FILE, schema = @Schema(type = SchemaType.STRING)))
    public String signingKey() {
        return keys.key().publicKeyPem();
    }
}
