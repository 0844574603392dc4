package dev.imagefactory.http;

import dev.imagefactory.secureboot.SecureBootKeys;
import dev.imagefactory.secureboot.SigningMaterial;

import dev.imagefactory.errors.NotFoundException;
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
 * {@code GET /secureboot/signing-cert.pem}: the certificate the factory signs SecureBoot assets with, to enroll in
 * the firmware's db (upstream serves the same path). 404 when SecureBoot is disabled.
 */
@Path("/secureboot")
public class SecureBootResource {

    static final String PEM_FILE = "application/x-pem-file";

    private final SecureBootKeys keys;

    public SecureBootResource(SecureBootKeys keys) {
        this.keys = keys;
    }

    @GET
    @Path("/signing-cert.pem")
    @Produces(PEM_FILE)
    @Tag(name = ApiDocumentation.META)
    @Operation(operationId = "getSecureBootSigningCert", summary = "The certificate SecureBoot assets are signed with",
            description = """
                    PEM X.509 certificate of the key that Authenticode-signs systemd-boot and the UKIs; enroll it in the
                    firmware's db. Configured with `factory.secureboot.*`.""")
    @APIResponse(responseCode = "200", description = "The certificate (`-----BEGIN CERTIFICATE-----` …).",
            content = @Content(mediaType = PEM_FILE, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "404", description = "SecureBoot is not enabled on this factory.",
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    public String signingCertificate() {
        return keys.material().map(SigningMaterial::certificatePem)
                .orElseThrow(() -> new NotFoundException(SecureBootKeys.NOT_ENABLED));
    }
}
