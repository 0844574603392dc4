package dev.imagefactory.ops;

import dev.imagefactory.http.ApiDocumentation;
import java.util.List;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * Documents the routes that are Vert.x routes of the framework rather than annotated resource methods: the document
 * itself ({@code /openapi}, its alias {@code /q/openapi}) and Quarkus' own Prometheus endpoint ({@code /q/metrics}).
 * (The SmallRye Health routes below {@code /q/health} are added by quarkus-smallrye-health itself.) Registered with
 * {@code mp.openapi.filter}.
 */
public class OpenApiRoutes implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        for (String path : List.of("/openapi", OpenApiAlias.ALIAS)) {
            openAPI.getPaths().addPathItem(path, OASFactory.createPathItem().GET(document(path)));
        }
        openAPI.getPaths().addPathItem("/q/metrics", OASFactory.createPathItem().GET(text("quarkusMetrics",
                "Prometheus metrics, Quarkus' endpoint",
                "The same meters as `/metrics`; OpenMetrics unless the client accepts `text/plain`.")));
    }

    private static Operation document(String path) {
        return OASFactory.createOperation()
                .operationId(path.equals("/openapi") ? "openapi" : "openapiQuarkusAlias")
                .addTag(ApiDocumentation.OPERATIONS)
                .summary(path.equals("/openapi") ? "This OpenAPI document" : "This OpenAPI document (alias of /openapi)")
                .addParameter(OASFactory.createParameter().name("format").in(
                        org.eclipse.microprofile.openapi.models.parameters.Parameter.In.QUERY)
                        .description("`json` for JSON (as does `Accept: application/json`); YAML otherwise.")
                        .schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING)))
                .responses(OASFactory.createAPIResponses().addAPIResponse("200", OASFactory.createAPIResponse()
                        .description("The OpenAPI 3 document, YAML or JSON.")
                        .content(OASFactory.createContent()
                                .addMediaType("application/yaml", OASFactory.createMediaType()
                                        .schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING)))
                                .addMediaType("application/json", OASFactory.createMediaType()
                                        .schema(OASFactory.createSchema().addType(Schema.SchemaType.OBJECT))))));
    }

    private static Operation text(String id, String summary, String description) {
        return OASFactory.createOperation().operationId(id).addTag(ApiDocumentation.OPERATIONS).summary(summary)
                .description(description)
                .responses(OASFactory.createAPIResponses().addAPIResponse("200", OASFactory.createAPIResponse()
                        .description("Current metric values.")
                        .content(OASFactory.createContent().addMediaType("text/plain", OASFactory.createMediaType()
                                .schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING))))));
    }
}
