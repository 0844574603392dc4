package dev.imagefactory.secureboot;

import dev.imagefactory.errors.NotFoundException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

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
    public String signingCertificate() {
        return keys.material().map(SigningMaterial::certificatePem)
                .orElseThrow(() -> new NotFoundException(SecureBootKeys.NOT_ENABLED));
    }
}
