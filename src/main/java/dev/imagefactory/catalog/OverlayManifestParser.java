package dev.imagefactory.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code overlays.yaml} of an {@code overlays} manifest image (talos-imager.md §1.4):
 * {@code overlays: [{name, image: <tagged ref>, digest}]}. Unknown keys are ignored, as upstream does.
 */
public final class OverlayManifestParser {

    private OverlayManifestParser() {
    }

    /** @param where names the source in error messages, e.g. the release directory */
    public static List<OfficialOverlay> parse(String overlaysYaml, String where) {
        try {
            Object root = StrictYaml.load(overlaysYaml);
            if (root == null) {
                return List.of();
            }
            Object entries = StrictYaml.mapping(root, "top level").get("overlays");
            List<OfficialOverlay> overlays = new ArrayList<>();
            if (entries == null) {
                return overlays;
            }
            List<Object> list = StrictYaml.sequence(entries, "overlays");
            for (int i = 0; i < list.size(); i++) {
                String at = "overlays[" + i + "]";
                Map<Object, Object> entry = StrictYaml.mapping(list.get(i), at);
                String name = StrictYaml.text(entry, "name");
                if (name.isEmpty()) {
                    throw new IllegalArgumentException(at + ": missing \"name\"");
                }
                String image = StrictYaml.text(entry, "image");
                ImageRef ref = ImageRef.tryParse(image).orElseThrow(
                        () -> new IllegalArgumentException(at + ".image: invalid tagged reference \"" + image + "\""));
                String digest = StrictYaml.text(entry, "digest");
                if (!digest.isEmpty() && !DigestSyntax.isValid(digest)) {
                    throw new IllegalArgumentException(at + ".digest: invalid digest \"" + digest + "\"");
                }
                overlays.add(new OfficialOverlay(name, ref, digest));
            }
            return overlays;
        } catch (IllegalArgumentException e) {
            throw new ReleaseDataException(where + ": overlays.yaml: " + e.getMessage(), e);
        }
    }
}
