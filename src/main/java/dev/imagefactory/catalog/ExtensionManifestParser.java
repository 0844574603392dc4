package dev.imagefactory.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the two files of an {@code extensions} manifest image (talos-imager.md §1.3): {@code image-digests}, one
 * {@code <registry>/<repo>:<tag>@<digest>} per line, and {@code descriptions.yaml}, a map keyed by that whole line
 * to {@code {author, description}}. Like upstream, lines without {@code @} are skipped and order is kept.
 */
public final class ExtensionManifestParser {

    private ExtensionManifestParser() {
    }

    /**
     * @param descriptionsYaml may be null (no descriptions file)
     * @param where names the source in error messages, e.g. the release directory
     */
    public static List<OfficialExtension> parse(String imageDigests, String descriptionsYaml, String where) {
        Map<Object, Object> descriptions = descriptions(descriptionsYaml, where);
        List<OfficialExtension> extensions = new ArrayList<>();
        String[] lines = imageDigests.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            int at = line.indexOf('@');
            if (line.startsWith("#") || at < 0) {
                continue;
            }
            String lineWhere = where + ": image-digests line " + (i + 1);
            ImageRef ref = ImageRef.tryParse(line.substring(0, at))
                    .orElseThrow(() -> new ReleaseDataException(lineWhere + ": invalid tagged reference \"" + line + "\""));
            String digest = line.substring(at + 1);
            if (!DigestSyntax.isValid(digest)) {
                throw new ReleaseDataException(lineWhere + ": invalid digest \"" + digest + "\"");
            }
            Object described = descriptions.get(line);
            Map<Object, Object> text = described instanceof Map<?, ?> ? StrictYaml.mapping(described, line) : Map.of();
            // a missing or odd description is no reason to refuse the extension: upstream shows it with empty texts
            extensions.add(new OfficialExtension(ref, digest, StrictYaml.text(text, "author"),
                    StrictYaml.text(text, "description")));
        }
        return extensions;
    }

    private static Map<Object, Object> descriptions(String yaml, String where) {
        if (yaml == null) {
            return Map.of();
        }
        try {
            Object root = StrictYaml.load(yaml);
            return root == null ? Map.of() : StrictYaml.mapping(root, "top level");
        } catch (IllegalArgumentException e) {
            throw new ReleaseDataException(where + ": descriptions.yaml: " + e.getMessage(), e);
        }
    }
}
