package dev.imagefactory.build.overlay;

import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.schematic.Bootloader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * What an overlay's profile fragment ({@code profiles/<name>.yaml} of the <b>target-arch</b> extraction,
 * talos-imager.md §1.7) adds to a request's profile. The reference zeroes {@code input}, {@code arch},
 * {@code platform}, {@code overlay}, {@code version}, {@code secureboot}, {@code output.kind},
 * {@code output.outFormat}, {@code imageOptions.diskFormat}, {@code diskFormatOptions} and {@code diskSize} before
 * merging, so those are ignored here; what survives and the factory uses is {@code output.imageOptions.bootloader}
 * and {@code customization.extraKernelArgs}. Other keys of the fragment change nothing the factory builds and are
 * ignored. A fragment that is missing is no fragment (overlays need not ship one).
 *
 * @param bootloader      the overlay's bootloader choice (e.g. {@code grub} for rpi_generic), empty when it makes none
 * @param extraKernelArgs the fragment's {@code customization.extraKernelArgs}, appended after the request's own
 */
public record OverlayProfile(Optional<Bootloader> bootloader, List<String> extraKernelArgs) {

    /** A fragment is a few hundred bytes; anything far larger is not one. */
    static final long MAX_SIZE = 64 * 1024;

    public OverlayProfile {
        extraKernelArgs = List.copyOf(extraKernelArgs);
    }

    public static final OverlayProfile NONE = new OverlayProfile(Optional.empty(), List.of());

    /** Reads {@code profiles/<name>.yaml} ({@code default.yaml} for an empty name) of {@code image}. */
    public static OverlayProfile of(OverlayImage image) {
        String name = image.name().isEmpty() ? OverlayImage.DEFAULT_INSTALLER : image.name();
        Path file = image.profiles().resolve(name + ".yaml");
        String where = "overlay \"" + name + "\" profile profiles/" + name + ".yaml";
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return NONE;
            }
            if (Files.size(file) > MAX_SIZE) {
                throw new InvalidInputException(where + " is larger than " + MAX_SIZE + " bytes");
            }
            return parse(Files.readString(file, StandardCharsets.UTF_8), where);
        } catch (NoSuchFileException e) {
            return NONE;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static OverlayProfile parse(String yaml, String where) {
        LoaderOptions loader = new LoaderOptions();
        loader.setAllowDuplicateKeys(false);
        loader.setMaxAliasesForCollections(0);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(loader)).load(yaml);
        } catch (YAMLException e) {
            throw new InvalidInputException(where + " is not YAML: " + e.getMessage().strip().lines().findFirst()
                    .orElse(""));
        }
        if (root == null) {
            return NONE;
        }
        Map<?, ?> profile = mapping(root, where);
        Optional<Bootloader> bootloader = Optional.empty();
        Object output = profile.get("output");
        if (output != null) {
            Object imageOptions = mapping(output, where + ": output").get("imageOptions");
            if (imageOptions != null) {
                Object value = mapping(imageOptions, where + ": output.imageOptions").get("bootloader");
                if (value != null) {
                    Bootloader parsed = value instanceof String s ? Bootloader.parse(s) : null;
                    if (parsed == null) {
                        throw new InvalidInputException(where + ": output.imageOptions.bootloader \"" + value
                                + "\" names no bootloader");
                    }
                    bootloader = Optional.of(parsed);
                }
            }
        }
        List<String> args = new ArrayList<>();
        Object customization = profile.get("customization");
        if (customization != null) {
            Object extra = mapping(customization, where + ": customization").get("extraKernelArgs");
            if (extra != null) {
                if (!(extra instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
                    throw new InvalidInputException(where + ": customization.extraKernelArgs must be a list of strings");
                }
                list.forEach(a -> args.add((String) a));
            }
        }
        return new OverlayProfile(bootloader, args);
    }

    private static Map<?, ?> mapping(Object node, String where) {
        if (node instanceof Map<?, ?> map) {
            return map;
        }
        throw new InvalidInputException(where + " must be a mapping");
    }
}
