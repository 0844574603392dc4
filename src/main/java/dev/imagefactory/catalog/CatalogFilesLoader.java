package dev.imagefactory.catalog;

import dev.imagefactory.model.TalosVersion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Loads {@code extensions-catalog/} and {@code overlays/} below the catalog folder (formats in their README.md).
 * Every problem names its file and fails loading: a half-read catalog would quietly offer the wrong extensions.
 */
public final class CatalogFilesLoader {

    static final String EXTENSIONS_DIR = "extensions-catalog";
    static final String OVERLAYS_DIR = "overlays";
    static final String ALIASES_FILE = "aliases.yaml";

    private static final Logger LOG = Logger.getLogger(CatalogFilesLoader.class);

    private CatalogFilesLoader() {
    }

    public static CatalogFiles load(Path catalogDir) {
        Path extensionsDir = catalogDir.resolve(EXTENSIONS_DIR);
        Path aliasesFile = extensionsDir.resolve(ALIASES_FILE);
        ExtensionAliases aliases = Files.exists(aliasesFile) ? readAliases(aliasesFile) : ExtensionAliases.none();
        return new CatalogFiles(
                rangeFiles(extensionsDir, "extensions", CatalogFilesLoader::extension, OfficialExtension::name),
                rangeFiles(catalogDir.resolve(OVERLAYS_DIR), "overlays", CatalogFilesLoader::overlay, OfficialOverlay::name),
                aliases);
    }

    private static <T> List<CatalogFile<T>> rangeFiles(Path dir, String listKey,
            BiFunction<Map<Object, Object>, String, T> entryReader, Function<T, String> nameOf) {
        if (!Files.isDirectory(dir)) {
            LOG.warnf("Catalog folder %s does not exist: only release sources describe %s", dir.toAbsolutePath(), listKey);
            return List.of();
        }
        List<CatalogFile<T>> files = new ArrayList<>();
        for (Path file : yamlFiles(dir)) {
            CatalogFile<T> loaded = rangeFile(file, listKey, entryReader, nameOf);
            for (CatalogFile<T> other : files) {
                if (other.talos().overlaps(loaded.talos())) {
                    throw new CatalogFileException(file, "range " + loaded.talos() + " overlaps " + other.talos()
                            + " of " + other.file());
                }
            }
            files.add(loaded);
        }
        return files;
    }

    static <T> CatalogFile<T> rangeFile(Path file, String listKey,
            BiFunction<Map<Object, Object>, String, T> entryReader, Function<T, String> nameOf) {
        try {
            Map<Object, Object> root = StrictYaml.mapping(StrictYaml.load(read(file)), "top level");
            StrictYaml.onlyKeys(root, "top level", "talos", listKey);
            if (root.get("talos") == null) {
                throw new IllegalArgumentException("missing \"talos\" (the version range this file describes)");
            }
            VersionRange range = range(StrictYaml.mapping(root.get("talos"), "talos"));
            Object listNode = root.get(listKey);
            List<Object> list = listNode == null ? List.of() : StrictYaml.sequence(listNode, listKey);
            List<T> entries = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                String where = listKey + "[" + i + "]";
                T entry = entryReader.apply(StrictYaml.mapping(list.get(i), where), where);
                String name = nameOf.apply(entry);
                if (!names.add(name)) {
                    throw new IllegalArgumentException(where + ": \"" + name + "\" is listed twice");
                }
                entries.add(entry);
            }
            return new CatalogFile<>(file, range, entries);
        } catch (IllegalArgumentException e) {
            throw new CatalogFileException(file, e.getMessage(), e);
        }
    }

    private static VersionRange range(Map<Object, Object> talos) {
        StrictYaml.onlyKeys(talos, "talos", "from", "until");
        TalosVersion from = version(StrictYaml.string(talos, "from", "talos", true), "talos.from");
        Optional<TalosVersion> until = Optional.ofNullable(StrictYaml.string(talos, "until", "talos", false))
                .map(s -> version(s, "talos.until"));
        return new VersionRange(from, until);
    }

    private static OfficialExtension extension(Map<Object, Object> entry, String where) {
        StrictYaml.onlyKeys(entry, where, "name", "ref", "digest", "author", "description");
        String name = StrictYaml.string(entry, "name", where, true);
        ImageRef ref = ref(StrictYaml.string(entry, "ref", where, true), where);
        if (!name.equals(ref.repository())) {
            throw new IllegalArgumentException(where + ": name \"" + name + "\" is not the repository of ref " + ref);
        }
        return new OfficialExtension(ref, digest(entry, where),
                StrictYaml.string(entry, "author", where, false), StrictYaml.string(entry, "description", where, false));
    }

    private static OfficialOverlay overlay(Map<Object, Object> entry, String where) {
        StrictYaml.onlyKeys(entry, where, "name", "image", "ref", "digest");
        String name = StrictYaml.string(entry, "name", where, true);
        String image = StrictYaml.string(entry, "image", where, true);
        ImageRef ref = ref(StrictYaml.string(entry, "ref", where, true), where);
        if (!image.equals(ref.repository())) {
            throw new IllegalArgumentException(where + ": image \"" + image + "\" is not the repository of ref " + ref);
        }
        return new OfficialOverlay(name, ref, digest(entry, where));
    }

    static ExtensionAliases readAliases(Path file) {
        try {
            Map<Object, Object> root = StrictYaml.mapping(StrictYaml.load(read(file)), "top level");
            StrictYaml.onlyKeys(root, "top level", "aliases");
            Map<String, String> aliases = new LinkedHashMap<>();
            for (Map.Entry<Object, Object> e : StrictYaml.mapping(root.get("aliases"), "aliases").entrySet()) {
                if (!(e.getKey() instanceof String oldName) || !(e.getValue() instanceof String newName)) {
                    throw new IllegalArgumentException("aliases: " + e.getKey() + ": expected old-name: new-name strings");
                }
                aliases.put(oldName, newName);
            }
            return new ExtensionAliases(aliases);
        } catch (IllegalArgumentException e) {
            throw new CatalogFileException(file, e.getMessage(), e);
        }
    }

    private static ImageRef ref(String text, String where) {
        return ImageRef.tryParse(text).orElseThrow(
                () -> new IllegalArgumentException(where + ".ref: invalid tagged image reference \"" + text + "\""));
    }

    private static String digest(Map<Object, Object> entry, String where) {
        String digest = StrictYaml.string(entry, "digest", where, false);
        if (digest != null && !DigestSyntax.isValid(digest)) {
            throw new IllegalArgumentException(where + ".digest: invalid digest \"" + digest + "\"");
        }
        return digest;
    }

    private static TalosVersion version(String text, String where) {
        return TalosVersion.tryParse(text)
                .orElseThrow(() -> new IllegalArgumentException(where + ": invalid Talos version \"" + text + "\""));
    }

    private static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches(".+\\.ya?ml"))
                    .filter(p -> !p.getFileName().toString().equals(ALIASES_FILE))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new CatalogFileException(dir, "cannot list: " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CatalogFileException(file, "cannot read: " + e.getMessage(), e);
        }
    }
}
