package dev.imagefactory.build.initramfs;

import dev.imagefactory.catalog.ReleaseDataException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads an extension image's {@code manifest.yaml}. Like Talos, only {@code version: v1alpha1} is accepted and
 * unknown keys are ignored (the file comes from a release, not from a client, so problems are release data errors).
 */
public final class ExtensionManifestFile {

    private ExtensionManifestFile() {
    }

    public static ExtensionMetadata read(Path manifest) {
        Object root;
        try (Reader in = Files.newBufferedReader(manifest, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException | RuntimeException e) {
            throw new ReleaseDataException("cannot read extension manifest " + manifest + ": " + e.getMessage(), e);
        }
        Map<?, ?> top = map(root, manifest, "top level");
        if (!"v1alpha1".equals(top.get("version"))) {
            throw new ReleaseDataException(manifest + ": unsupported manifest version " + top.get("version"));
        }
        Map<?, ?> metadata = map(top.get("metadata"), manifest, "metadata");
        Object compatibility = metadata.get("compatibility");
        String constraint = "";
        if (compatibility instanceof Map<?, ?> c && c.get("talos") instanceof Map<?, ?> talos) {
            constraint = text(talos.get("version"));
        }
        String name = text(metadata.get("name"));
        if (name.isEmpty()) {
            throw new ReleaseDataException(manifest + ": metadata.name is missing");
        }
        return new ExtensionMetadata(name, text(metadata.get("version")), text(metadata.get("author")),
                text(metadata.get("description")), constraint, text(metadata.get("extraInfo")));
    }

    private static Map<?, ?> map(Object node, Path file, String what) {
        if (node instanceof Map<?, ?> m) {
            return m;
        }
        throw new ReleaseDataException(file + ": " + what + " is not a mapping");
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }
}
