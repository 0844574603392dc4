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

    /** @throws RegistryError {@code NAME_INVALID} when the name is not one the factory serves */
    public static RepositoryName parse(String repository) {
        int slash = repository.lastIndexOf('/');
        if (slash <= 0 || slash == repository.length() - 1) {
            throw RegistryError.nameInvalid("invalid repository \"" + repository
                    + "\": expected <image>/<schematic ID>, e.g. metal-installer/<id>");
        }
        String image = repository.substring(0, slash);
        String schematic = repository.substring(slash + 1);
        if (!SCHEMATIC.matcher(schematic).matches()) {
            throw RegistryError.nameInvalid("invalid schematic ID \"" + schematic + "\": expected 64 lowercase hex digits");
        }
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

    private static RegistryError invalidImage(String image) {
        return RegistryError.nameInvalid("invalid image \"" + image + "\": expected installer, installer-secureboot or"
                + " <platform>-installer[-secureboot]");
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
