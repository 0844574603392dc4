package dev.imagefactory.schematic;

import dev.imagefactory.model.SchematicId;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSchematicStoreTest {

    @TempDir
    Path dir;

    private static CanonicalSchematic schematic(String yaml) {
        return SchematicCodec.parse(yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void survivesANewStoreInstanceOverTheSameDirectory() {
        CanonicalSchematic s = schematic("customization: {extraKernelArgs: [talos.dashboard.disabled=1]}");
        assertTrue(new FileSchematicStore(dir).put(s.id(), s.canonicalYaml()));

        FileSchematicStore reopened = new FileSchematicStore(dir);
        assertArrayEquals(s.canonicalYaml(), reopened.get(s.id()).orElseThrow());
        assertFalse(reopened.put(s.id(), s.canonicalYaml()), "second put of the same schematic is a no-op");
    }

    @Test
    void unknownIdIsEmpty() {
        assertTrue(new FileSchematicStore(dir).get(SchematicId.parse("0".repeat(64))).isEmpty());
    }

    @Test
    void leavesNoTemporaryFilesBehind() throws Exception {
        FileSchematicStore store = new FileSchematicStore(dir);
        for (String arg : List.of("a=1", "b=2", "c=3")) {
            CanonicalSchematic s = schematic("customization: {extraKernelArgs: [" + arg + "]}");
            store.put(s.id(), s.canonicalYaml());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> regular = files.filter(Files::isRegularFile).toList();
            assertEquals(3, regular.size());
            assertTrue(regular.stream().allMatch(p -> p.getFileName().toString().matches("[0-9a-f]{64}\\.yaml")), regular.toString());
        }
    }

    @Test
    void damagedFileIsNotServedAndCanBeRecreated() throws Exception {
        FileSchematicStore store = new FileSchematicStore(dir);
        CanonicalSchematic s = schematic("customization: {}");
        store.put(s.id(), s.canonicalYaml());
        Path file = dir.resolve(s.id().value().substring(0, 2)).resolve(s.id().value() + ".yaml");
        Files.writeString(file, "customization: {extraKernelArgs: [tampered]}\n");

        assertTrue(store.get(s.id()).isEmpty());
        assertTrue(store.put(s.id(), s.canonicalYaml()));
        assertArrayEquals(s.canonicalYaml(), store.get(s.id()).orElseThrow());
    }
}
