package dev.imagefactory.build.initramfs;

import dev.imagefactory.schematic.goyaml.GoEncoder;
import dev.imagefactory.schematic.goyaml.GoType;
import dev.imagefactory.schematic.goyaml.GoType.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes {@code extensions.yaml} (talos-imager.md §2.5) with the go-yaml compatible encoder, using the field
 * order and {@code omitempty} tags of Talos' {@code extensions.Config}/{@code Layer}/{@code Metadata} structs, so the
 * file reads as the one Talos' imager writes.
 */
public final class ExtensionsYaml {

    /** One layer: the squashfs file name at the initramfs root and the extension's metadata. */
    public record Layer(String image, ExtensionMetadata metadata) {
    }

    private static final GoType STR = new GoType.Str();
    private static final GoType.Struct CONSTRAINT = new GoType.Struct("extensions.Constraint",
            List.of(new Field("version", STR, false)));
    private static final GoType.Struct COMPATIBILITY = new GoType.Struct("extensions.Compatibility",
            List.of(new Field("talos", CONSTRAINT, false)));
    private static final GoType.Struct METADATA = new GoType.Struct("extensions.Metadata", List.of(
            new Field("name", STR, false),
            new Field("version", STR, false),
            new Field("author", STR, false),
            new Field("description", STR, false),
            new Field("compatibility", COMPATIBILITY, false),
            new Field("extraInfo", STR, true)));
    private static final GoType.Struct LAYER = new GoType.Struct("extensions.Layer", List.of(
            new Field("image", STR, false),
            new Field("metadata", METADATA, false)));
    private static final GoType.Struct CONFIG = new GoType.Struct("extensions.Config", List.of(
            new Field("layers", new GoType.Slice(LAYER), false)));

    private ExtensionsYaml() {
    }

    public static byte[] encode(List<Layer> layers) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("layers", layers.stream().map(ExtensionsYaml::layer).toList());
        return GoEncoder.marshal(config, CONFIG);
    }

    private static Map<String, Object> layer(Layer layer) {
        ExtensionMetadata m = layer.metadata();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", m.name());
        metadata.put("version", m.version());
        metadata.put("author", m.author());
        metadata.put("description", m.description());
        metadata.put("compatibility", Map.of("talos", Map.of("version", m.talosVersion())));
        metadata.put("extraInfo", m.extraInfo());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("image", layer.image());
        out.put("metadata", metadata);
        return out;
    }
}
