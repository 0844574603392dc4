package dev.imagefactory.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/** A small Server-Sent Events reader for tests: parses {@code id:}, {@code event:} and {@code data:} lines. */
final class SseEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** One event as received. */
    record Event(String id, String name, String data) {
        JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + data, e);
            }
        }

        /** {@code state:<state>} or {@code <type>:<step>}: the event in a word, for comparing stories. */
        String summary() {
            JsonNode node = json();
            return node.get("type").asText() + ":"
                    + (node.has("state") ? node.get("state").asText() : node.path("step").asText());
        }
    }

    private SseEvents() {
    }

    /** Reads the stream at {@code url} (resuming after {@code lastEventId} if given) until it ends, or {@code max} events. */
    static List<Event> read(URI url, String lastEventId, int max, Duration timeout) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).header("Accept", "text/event-stream").timeout(timeout);
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw new AssertionError(url + " answered " + response.statusCode());
        }
        if (!response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            throw new AssertionError("not an event stream: " + response.headers().map());
        }
        List<Event> events = new ArrayList<>();
        try (Stream<String> lines = response.body()) {
            String id = null;
            String name = null;
            StringBuilder data = new StringBuilder();
            for (Iterator<String> it = lines.iterator(); it.hasNext() && events.size() < max; ) {
                String line = it.next();
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(id, name, data.toString()));
                    }
                    id = null;
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
        }
        return events;
    }
}
