package dev.imagefactory.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged service keeps every schematic across a graceful restart and across a crash (SIGKILL). */
class SchematicPersistenceIT {

    @TempDir
    Path tmp;

    @Test
    void schematicsSurviveRestartsAndCrashes() throws Exception {
        Path data = tmp.resolve("data");
        ObjectMapper json = new ObjectMapper();
        Map<String, String> created = new LinkedHashMap<>();
        try (ServiceProcess first = ServiceProcess.start(data, tmp.resolve("first.log"))) {
            HttpResponse<String> r = first.post("/schematics", "customization: {}");
            assertEquals(201, r.statusCode(), r.body());
            assertEquals("376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba", json.readTree(r.body()).get("id").asText());
            for (int i = 0; i < 20; i++) {
                String body = "customization:\n  extraKernelArgs: [console=ttyS" + i + "]\n  systemExtensions:\n"
                        + "    officialExtensions: [siderolabs/intel-ucode, siderolabs/i915]\n";
                r = first.post("/schematics", body);
                assertEquals(201, r.statusCode(), r.body());
                created.put(json.readTree(r.body()).get("id").asText(), json.readTree(r.body()).get("schematic").asText());
            }
        }
        try (ServiceProcess second = ServiceProcess.start(data, tmp.resolve("second.log"))) {
            for (Map.Entry<String, String> e : created.entrySet()) {
                HttpResponse<String> r = second.get("/schematics/" + e.getKey());
                assertEquals(200, r.statusCode());
                assertEquals(e.getValue(), r.body());
            }
            HttpResponse<String> r = second.post("/schematics", "customization: {extraKernelArgs: [after-crash]}");
            assertEquals(201, r.statusCode());
            created.put(json.readTree(r.body()).get("id").asText(), json.readTree(r.body()).get("schematic").asText());
            second.kill();
        }
        try (ServiceProcess third = ServiceProcess.start(data, tmp.resolve("third.log"))) {
            for (String id : created.keySet()) {
                assertEquals(200, third.get("/schematics/" + id).statusCode(), id);
            }
            assertTrue(third.get("/schematics/" + "f".repeat(64)).statusCode() == 404);
        }
    }
}
