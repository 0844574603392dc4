package dev.imagefactory.schematic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.errors.NotFoundException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The creation path POST /schematics takes: parse, answer a known schematic without I/O, else store it. */
class SchematicServiceTest {

    private static final byte[] BODY = "customization: {extraKernelArgs: [console=ttyS0]}\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double count(String name) {
        return registry.get(name).counter().count();
    }

    private Path storedFile(CanonicalSchematic s) {
        return dir.resolve(s.id().value().substring(0, 2)).resolve(s.id().value() + ".yaml");
    }

    @Test
    void aSchematicStoredByThisProcessIsCreatedAgainWithoutTouchingTheStore() throws Exception {
        SchematicService service = new SchematicService(new FileSchematicStore(dir), registry);
        CanonicalSchematic parsed = service.parse(BODY);
        assertFalse(service.createIfKnown(parsed), "not stored yet: the caller must store it");
        service.store(parsed);
        assertArrayEquals(parsed.canonicalYaml(), Files.readAllBytes(storedFile(parsed)));

        // Without the directory a store would have to write the file again; a known schematic needs no store at all.
        deleteTree(dir);
        assertTrue(service.createIfKnown(service.parse(BODY)));
        assertFalse(Files.exists(dir), "the store was not asked");
        assertEquals(2, count("image_factory_schematic_create"));
        assertEquals(1, count("image_factory_schematic_duplicate_create"));
    }

    @Test
    void aSchematicStoredByAnotherProcessIsStoredOnceAndThenKnown() {
        CanonicalSchematic parsed = new SchematicService(new FileSchematicStore(dir), new SimpleMeterRegistry()).create(BODY);
        SchematicService service = new SchematicService(new FileSchematicStore(dir), registry);
        assertFalse(service.createIfKnown(parsed), "a new process remembers nothing yet");
        assertEquals(parsed.id(), service.create(BODY).id());
        assertTrue(service.createIfKnown(parsed));
        assertEquals(2, count("image_factory_schematic_duplicate_create"), "the file was there: both are duplicates");
    }

    @Test
    void aDamagedSchematicIsForgottenSoThatCreatingItAgainStoresItAgain() throws Exception {
        SchematicService service = new SchematicService(new FileSchematicStore(dir), registry);
        CanonicalSchematic parsed = service.create(BODY);
        Files.writeString(storedFile(parsed), "customization: {}\n"); // other content than its ID says

        assertThrows(NotFoundException.class, () -> service.canonicalYaml(parsed.id()));
        assertFalse(service.createIfKnown(parsed), "the store set the damaged file aside; it is no longer known");
        service.create(BODY);
        assertArrayEquals(parsed.canonicalYaml(), service.canonicalYaml(parsed.id()));
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
