package dev.imagefactory.http;

import dev.imagefactory.build.BuildRequest;
import dev.imagefactory.build.ImageRequest;
import dev.imagefactory.build.ImageResolver;
import dev.imagefactory.build.ResolvedImage;
import dev.imagefactory.config.FactoryConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import java.nio.charset.StandardCharsets;
import java.io.InputStream;
import java.io.IOException;
import java.util.concurrent.CompletionStage;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * {@code GET /pxe/{schematic}/{version}/{platform}-{arch}[-secureboot]}: an iPXE script pointing at this factory's
 * PXE base URL. The cmdline comes from the cached cmdline asset, as upstream does, resolved like any other asset
 * ({@link ImageResolver}; never redirected); a request waiting for it to be built holds no thread
 * ({@link AsyncResponses}).
 */
@Path("/pxe/{schematic}/{version}/{path}")
public class PxeResource {

    @Inject
    ImageResolver resolver;

    @Inject
    FactoryConfig config;

    @Inject
    RequestedAssetPaths paths;

    @GET
    @Produces("text/plain; charset=utf-8")
    @Blocking
    @Tag(name = ApiDocumentation.IMAGES)
    @Operation(operationId = "getPxeScript",
            summary = "iPXE script booting the schematic's kernel and initramfs (or, with -secureboot, its UKI)")
    @APIResponse(responseCode = "200", description = """
            The script, byte-identical to the reference's templates; asset URLs use `factory.external-pxe-url`.""",
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "503", description = ApiDocumentation.UNAVAILABLE + """

            Here: when the cmdline asset the script reads cannot be built or read now.""",
            headers = @Header(name = "Retry-After", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    public CompletionStage<Response> script(@Parameter(description = ApiDocumentation.SCHEMATIC_ID) @PathParam("schematic") String schematic,
            @Parameter(description = ApiDocumentation.TALOS_VERSION, example = "v1.11.0") @PathParam("version") String version,
            @Parameter(description = "`<platform>-<arch>[-secureboot]`, e.g. `metal-amd64` or `metal-x86_64`.")
            @PathParam("path") String rawPath) {
        ImageRequest request = ImageRequest.of(schematic, version, paths.pxe(schematic, rawPath));
        return AsyncResponses.when(resolver.resolve(request), resolved -> Response.ok(script(resolved))
                .type("text/plain; charset=utf-8").build());
    }

    /** The script; reads the resolved (leased) cmdline asset and releases it. */
    private String script(ResolvedImage resolved) throws IOException {
        String cmdline;
        try (ResolvedImage.Bytes asset = (ResolvedImage.Bytes) resolved; // never redirected, no sidecar asked
                InputStream in = asset.artifact().content().open(0, asset.artifact().size())) {
            cmdline = new String(in.readAllBytes(), StandardCharsets.UTF_8); // a kernel command line: a few hundred bytes
        }
        BuildRequest request = resolved.request();
        String base = config.pxeBaseUrl();
        String id = request.profile().schematicId().value();
        String arch = request.profile().arch().goName();
        if (request.profile().secureBoot()) {
            return PxeScript.secureBoot(base, id, request.versionTag(), request.profile().platform().pathName(), arch,
                    cmdline);
        }
        return PxeScript.standard(base, id, request.versionTag(), arch, cmdline);
    }
}
