package dev.imagefactory.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.build.BuildBoard;
import dev.imagefactory.build.BuildEvent;
import dev.imagefactory.build.BuildStarter;
import dev.imagefactory.build.BuildStatus;
import dev.imagefactory.build.TrackedBuild;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Builds as resources: {@code GET /builds} (queued, running and recent ones, newest first), {@code GET /builds/{id}},
 * {@code GET /builds/{id}/events} (Server-Sent Events, resumable with {@code Last-Event-ID}) and {@code POST /builds}
 * (start or join builds ahead of their downloads, e.g. the installer image before {@code talosctl upgrade}). The SSE
 * stream uses JAX-RS' own {@link SseEventSink}: the build's events are pushed to it as they happen, no thread waits.
 */
@Path("/builds")
public class BuildsResource {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    @Inject
    BuildBoard board;

    @Inject
    BuildStarter starter;

    @Inject
    ObjectMapper json;

    /** The body of {@code POST /builds}. */
    @Schema(name = "StartBuilds", description = """
            Builds to start (or join). Either `schematic`, `version` and `paths` (asset paths of `/image`, e.g.
            `metal-amd64.iso`, or an installer image name such as `installer` or `metal-installer`, which warms that
            image for every architecture, as a pull would build it), or `paths` alone holding full
            `/image/<schematic>/<version>/<path>` paths.""")
    public record StartBuilds(String schematic, String version, List<String> paths) {
    }

    /** A list of builds, newest first. */
    public record BuildList(List<BuildStatus> builds) {
    }

    static final String BUILD_STATUS = """
            A build: `id`; what it makes (`kind`, `schematic`, `version`, `arch`, `path`; intermediates have no path);
            `state` (`queued`, `running`, `succeeded`, `failed`); `cached` (nothing had to be built); `queuePosition`
            while it waits for a build slot (1 = next); `currentStep` (and `currentStepPercent` where the step can tell); `steps` (each finished step's `name`,
            `startedAt`, `durationMs`, `bytes`); `queuedAt`, `startedAt`, `endedAt`; `error` (the failure's text);
            `needs` (IDs of the builds it waits for); `links` (`self`, `events`, and `artifact` once succeeded).""";

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiDocumentation.BUILDS)
    @Operation(operationId = "listBuilds", summary = "Queued, running and recent builds, newest first")
    @APIResponse(responseCode = "200", description = "`{\"builds\": [...]}`, each as `GET /builds/{id}` shows it. "
            + BUILD_STATUS, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = BuildList.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    public BuildList list(
            @Parameter(description = "Only the builds of this schematic ID.") @QueryParam("schematic") String schematic,
            @Parameter(description = "At most this many builds (1–1000, default 100).") @QueryParam("limit") String limit) {
        int max = limit(limit);
        List<BuildStatus> builds = board.list(Optional.ofNullable(schematic).filter(s -> !s.isEmpty()), max)
                .stream().map(board::status).toList();
        return new BuildList(builds);
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiDocumentation.BUILDS)
    @Operation(operationId = "getBuild", summary = "One build: what it makes, its state, steps and links")
    @APIResponse(responseCode = "200", description = BUILD_STATUS, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = BuildStatus.class)))
    @APIResponse(responseCode = "404", ref = "NotFound")
    public BuildStatus get(@Parameter(description = "Build ID.") @PathParam("id") String id) {
        return board.status(find(id));
    }

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Tag(name = ApiDocumentation.BUILDS)
    @Operation(operationId = "watchBuild", summary = "The build's progress as Server-Sent Events, ending with its final state")
    @Parameter(name = "Last-Event-ID", in = ParameterIn.HEADER, schema = @Schema(type = SchemaType.INTEGER),
            description = "Resume after this event (as sent by EventSource on reconnect): no event is lost or repeated.")
    @APIResponse(responseCode = "200", description = """
            `text/event-stream`, one event per change, each with `id:` (1, 2, … within the build), `event:` (its type)
            and one `data:` line of JSON: `{"id", "at", "type", ...}` where `type` is `state` (with `state`:
            `queued`, `running`, `succeeded` or `failed`, and `error` on failure), `step-started` (`step`),
            `step-progress` (`step`, `bytes` done of `total`, `percent`: sent where a step can tell, e.g. a disk
            image's compressor reading its input, once per whole percent) or `step-ended` (`step`, `durationMs`,
            `bytes`). The whole story is replayed from the start (or after
            `Last-Event-ID`), then new events follow live; the stream ends after the final state.""",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public void events(@Parameter(description = "Build ID.") @PathParam("id") String id,
            @Parameter(hidden = true) @HeaderParam("Last-Event-ID") String lastEventId,
            @Parameter(hidden = true) @Context SseEventSink sink, @Parameter(hidden = true) @Context Sse sse) {
        long after = lastEventId(lastEventId);
        TrackedBuild build = find(id);
        build.follow(after, new SseListener(sink, sse));
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiDocumentation.BUILDS)
    @Operation(operationId = "startBuilds", summary = "Start (or join) builds ahead of their downloads")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = StartBuilds.class)))
    @APIResponse(responseCode = "202", description = """
            Started, joined (identical requests share one build) or already cached (`cached`, `succeeded`):
            `{"builds": [...]}` in the order asked, each as `GET /builds/{id}` shows it. `Location` is the first one's.
            """ + BUILD_STATUS, headers = @Header(name = "Location", schema = @Schema(type = SchemaType.STRING, format = "uri")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BuildList.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "503", description = ApiDocumentation.UNAVAILABLE,
            headers = @Header(name = "Retry-After", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = ApiDocumentation.TEXT, schema = @Schema(ref = "Error")))
    public Response start(StartBuilds body) {
        List<TrackedBuild> started = starter.start(wanted(body));
        List<BuildStatus> builds = started.stream().map(board::status).toList();
        return Response.accepted(new BuildList(builds)).location(URI.create("/builds/" + started.get(0).id())).build();
    }

    private static List<BuildStarter.Wanted> wanted(StartBuilds body) {
        if (body == null || body.paths() == null || body.paths().isEmpty()) {
            throw new InvalidInputException("the body must be JSON {\"schematic\", \"version\", \"paths\": [...]} "
                    + "with at least one path");
        }
        List<BuildStarter.Wanted> wanted = new ArrayList<>();
        for (String path : body.paths()) {
            if (path == null || path.isEmpty()) {
                throw new InvalidInputException("empty path in \"paths\"");
            }
            if (path.startsWith("/image/")) {
                String[] parts = path.substring("/image/".length()).split("/", 3);
                if (parts.length != 3 || parts[2].isEmpty()) {
                    throw new InvalidInputException("invalid path \"" + path
                            + "\": expected /image/<schematic>/<version>/<path>");
                }
                wanted.add(new BuildStarter.Wanted(parts[0], parts[1], parts[2]));
            } else if (body.schematic() == null || body.version() == null) {
                throw new InvalidInputException("\"schematic\" and \"version\" are required for the path \"" + path
                        + "\" (or give it as /image/<schematic>/<version>/<path>)");
            } else {
                wanted.add(new BuildStarter.Wanted(body.schematic(), body.version(), path));
            }
        }
        return wanted;
    }

    private TrackedBuild find(String id) {
        return board.get(id).orElseThrow(() -> new NotFoundException("build " + id + " not found"));
    }

    private static int limit(String limit) {
        if (limit == null || limit.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidInputException("limit must be a number from 1 to " + MAX_LIMIT + ", got \"" + limit + "\"");
    }

    private static long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        try {
            long value = Long.parseLong(header.trim());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidInputException("Last-Event-ID must be an event ID of this build (a number), got \""
                + header + "\"");
    }

    /**
     * Sends a build's events to one SSE client, in order (each send is queued before the next, under the build's
     * lock); closes the stream once the final event is written.
     */
    private final class SseListener implements TrackedBuild.Listener {
        private final SseEventSink sink;
        private final Sse sse;
        private CompletionStage<?> last = CompletableFuture.completedFuture(null);

        SseListener(SseEventSink sink, Sse sse) {
            this.sink = sink;
            this.sse = sse;
        }

        @Override
        public boolean deliver(BuildEvent event) {
            if (sink.isClosed()) {
                return false;
            }
            OutboundSseEvent outbound = sse.newEventBuilder().id(Long.toString(event.id())).name(event.type())
                    .data(text(event)).build();
            last = sink.send(outbound);
            return true;
        }

        @Override
        public void end() {
            last.whenComplete((sent, failure) -> sink.close());
        }

        private String text(BuildEvent event) {
            try {
                return json.writeValueAsString(event);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write build event " + event, e);
            }
        }
    }
}
