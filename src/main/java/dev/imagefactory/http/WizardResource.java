package dev.imagefactory.http;

import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.ui.Step;
import dev.imagefactory.ui.Wizard;
import dev.imagefactory.ui.WizardPage;
import dev.imagefactory.ui.WizardState;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The web UI wizard at {@code /}: every step is a page of its own whose selections are the URL's query, so any step
 * can be bookmarked or reloaded and the back button returns to the previous one. Without JavaScript each step is a
 * plain form; htmx (when it runs) asks for the same URL with {@code HX-Request} and gets only the step's fragment,
 * plus {@code HX-Push-Url} naming the step's URL. The customization step is POSTed (an embedded machine configuration
 * must not travel in a URL); it answers 303 to the final page, whose URL holds the new schematic's ID.
 */
@Path("/")
@Tag(name = ApiDocumentation.UI)
public class WizardResource {

    /** htmx from its webjar, served by Quarkus from the jar's {@code META-INF/resources} (the pom pins the version). */
    static final String HTMX = "/webjars/htmx.org/2.0.7/dist/htmx.min.js";

    private static final String HTML = "text/html;charset=UTF-8";

    @Inject
    Wizard wizard;

    @Inject
    @Location("wizard/page")
    Template page;

    @Inject
    @Location("wizard/step")
    Template step;

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "wizard", summary = "The web UI wizard (HTML)", description = """
            The step the query's selections lead to (the first one missing, or an earlier one named by `step`):
            `target` (`metal`, `cloud`, `sbc`), `version`, `platform` or `board`, `arch`, `secureboot`, `extensions`
            (repeated; `-` for none), `cmdline`, `bootloader`, `overlay-options`, `schematic-id` (an existing schematic:
            its selections fill the wizard, and with the hardware chosen the final page shows its downloads), `q`
            (extension search). With `HX-Request: true` only the step's fragment is sent.""")
    @APIResponse(responseCode = "200", description = "The page (or, for htmx, the step's fragment).",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", description = """
            A selection is refused (unknown version, platform or schematic ID, an extension not available for the
            version): the step is shown with the reason next to its control.""",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    public Response show(@Context UriInfo uri,
            @Parameter(hidden = true) @HeaderParam("HX-Request") String htmx,
            @Parameter(hidden = true) @HeaderParam("HX-History-Restore-Request") String historyRestore,
            @Parameter(hidden = true) @HeaderParam("HX-Trigger") String trigger) {
        WizardPage shown = wizard.show(WizardState.from(uri.getQueryParameters()));
        boolean fragment = "true".equals(htmx) && !"true".equals(historyRestore);
        Response.ResponseBuilder answer = render(shown, fragment);
        if (fragment) {
            // the live extension search replaces the current history entry instead of adding one per keystroke
            answer.header("extension-search".equals(trigger) ? "HX-Replace-Url" : "HX-Push-Url", shown.url());
        }
        return answer.build();
    }

    @HEAD
    @Operation(operationId = "wizardHead", summary = "Whether the web UI is there (200), as the reference answers")
    @APIResponse(responseCode = "200", description = "The web UI is served at `/`.")
    public Response head() {
        return Response.ok().type(HTML).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "wizardCreate", summary = "The wizard's customization step: creates the schematic", description = """
            The form of the customization step (the wizard's selections plus `cmdline`, `bootloader`, `machine-config`,
            `overlay-options`). The schematic is created by the same service as `POST /schematics`; the answer redirects
            to the final page, `/?…&schematic-id=<id>`.""")
    @APIResponse(responseCode = "303", description = "Created; `Location` is the final page.")
    @APIResponse(responseCode = "400", description = "Refused: the customization step again, the reason next to the field.",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    public Response create(@Parameter(hidden = true) MultivaluedMap<String, String> form,
            @Parameter(hidden = true) @HeaderParam("HX-Request") String htmx) {
        WizardState state = WizardState.from(form).withStep(Step.CUSTOMIZATION.id());
        String machineConfig = form.getFirst("machine-config");
        WizardPage checked = wizard.show(state);
        if (checked.step != Step.CUSTOMIZATION || !checked.errors.isEmpty()) {
            // a form missing earlier selections (posted by hand, or from a stale page) goes back to where they are asked
            if (checked.errors.isEmpty()) {
                checked.errors.put("form", "the form lacks the selections of the earlier steps: choose them here");
            }
            return render(checked, "true".equals(htmx)).header("HX-Push-Url", checked.url()).build();
        }
        try {
            WizardState created = wizard.create(state, machineConfig);
            return Response.seeOther(URI.create(created.url())).build();
        } catch (InvalidInputException e) {
            WizardPage refused = wizard.refused(state, machineConfig, e);
            return render(refused, "true".equals(htmx)).header("HX-Push-Url", refused.url()).build();
        }
    }

    private Response.ResponseBuilder render(WizardPage shown, boolean fragment) {
        String html = (fragment ? step : page).data("page", shown).data("htmx", HTMX).render();
        return Response.status(shown.errors.isEmpty() ? 200 : 400).type(HTML).entity(html)
                .header(HttpHeaders.VARY, "HX-Request").header(HttpHeaders.CACHE_CONTROL, "no-store");
    }
}
