package dev.imagefactory.schematic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.conformance.ConformanceDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The public schematic vectors (see {@link ConformanceDir} for where they are read from). */
final class ConformanceVectors {

    record Vector(int line, String input, boolean valid, String id, List<String> ids, String canonical) {
        List<String> acceptableIds() {
            List<String> all = new ArrayList<>(ids);
            if (id != null && !all.contains(id)) {
                all.add(id);
            }
            return all;
        }
    }

    static final Path FILE = ConformanceDir.resolve("schematic-ids.jsonl");

    private ConformanceVectors() {
    }

    static List<Vector> load() throws IOException {
        if (!Files.exists(FILE)) {
            throw new IllegalStateException("conformance vectors not found at " + FILE.toAbsolutePath());
        }
        ObjectMapper json = new ObjectMapper();
        List<Vector> out = new ArrayList<>();
        int line = 0;
        for (String l : Files.readAllLines(FILE, StandardCharsets.UTF_8)) {
            line++;
            if (l.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(l);
            List<String> ids = new ArrayList<>();
            if (n.has("ids")) {
                n.get("ids").forEach(i -> ids.add(i.asText()));
            }
            out.add(new Vector(line, n.get("input").asText(), n.get("valid").asBoolean(),
                    n.hasNonNull("id") ? n.get("id").asText() : null, ids,
                    n.hasNonNull("canonical") ? n.get("canonical").asText() : null));
        }
        return out;
    }
}
