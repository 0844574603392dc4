package dev.imagefactory.registry;

import dev.imagefactory.build.AssetPath;
import dev.imagefactory.model.Platform;
import dev.imagefactory.model.Arch;
import dev.imagefactory.errors.InvalidInputException;
import java.util.regex.Pattern;

/**
 * A pullable repository, {@code <image>/<schematic>} (image-factory-reference.md §6.1): {@code installer},
 * {@code installer-secureboot} (legacy names, platform metal) or {@code <platform>-installer[-secureboot]}.
 * The schematic part is only checked for shape here; whether it exists is the caller's question.
 */
public record RepositoryName(String image, Platform platform, boolean secureBoot, String schematic) {

    private static final String SUFFIX = "-installer";
    private static final String SECUREBOOT = "-secureboot";
    private static final Pattern SCHEMATIC = Pattern.compile("[0-9a-f]{64}");

    /**
     * The schematic part of a repository name, checked for shape only, as the reference routes {@code /v2}: a name
     * that is not exactly {@code <image>/<schematic>} (one segment, three, {@code siderolabs/...}: the source-image
     * proxy, {@code SourceImageResource}, answers its own components first) is no repository of this registry, 404 {@code NAME_UNKNOWN} (reference {@code RouteV2}
     * answers such paths "unknown registry path", 404). The schematic is looked up before the image name is checked.
     */
    public static String schematicOf(String repository) {
        String[] segments = repository.split("/", -1);
        if (segments.length != 2 || segments[0].isEmpty() || segments[1].isEmpty() || segments[0].equals("siderolabs")) {
            throw RegistryError.nameUnknown("repository \"" + shown(repository) + "\" is not served here: repositories are"
                    + " <image>/<schematic ID>, e.g. metal-installer/<id>");
        }
        return segments[1];
    }

    /**
     * @throws RegistryError {@code NAME_UNKNOWN} (404) when the name is not {@code <image>/<schematic>} or the schematic
     *         is not a schematic ID (the reference looks it up and finds nothing); {@code NAME_INVALID} (400) when
     *         the image is not one the factory serves (reference: 400 {@code invalid image})
     */
    public static RepositoryName parse(String repository) {
        String schematic = schematicOf(repository);
        if (!SCHEMATIC.matcher(schematic).matches()) {
            throw RegistryError.nameUnknown("schematic " + shown(schematic) + " is not known to this factory (a schematic ID"
                    + " is 64 lowercase hex digits)");
        }
        String image = repository.substring(0, repository.indexOf('/'));
        boolean secureBoot = image.endsWith(SECUREBOOT);
        String base = secureBoot ? image.substring(0, image.length() - SECUREBOOT.length()) : image;
        if (base.equals("installer")) {
            return new RepositoryName(image, Platform.METAL, secureBoot, schematic);
        }
        if (!base.endsWith(SUFFIX) || base.length() == SUFFIX.length()) {
            throw invalidImage(image);
        }
        try {
            Platform platform = Platform.parse(base.substring(0, base.length() - SUFFIX.length()));
            return new RepositoryName(image, platform, secureBoot, schematic);
        } catch (InvalidInputException e) {
            throw invalidImage(image);
        }
    }

    /** Client text for a one-line message: control and non-ASCII characters become '?', long text is cut. */
    private static String shown(String text) {
        String cut = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static RegistryError invalidImage(String image) {
        return RegistryError.nameInvalid("invalid image: " + shown(image) + " (expected installer, installer-secureboot or"
                + " <platform>-installer[-secureboot])"); // the reference's text, then ours
    }

    /** {@code <image>/<schematic>}. */
    public String repository() {
        return image + "/" + schematic;
    }

    /** The {@code /image} asset of this repository's image for {@code arch} (same build, same cache entry). */
    public AssetPath assetPath(Arch arch) {
        return AssetPath.installer(platform, arch, secureBoot, !image.startsWith("installer"));
    }
}
