package dev.imagefactory.catalog;

import dev.imagefactory.model.TalosVersion;

import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.content.StartupLoad;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * What the factory offers per Talos version: the available versions (release source after the §8.4 filter) and,
 * per version, official extensions and overlays.
 *
 * <p>Lists merge the release source's manifest with the repository catalog file covering the version. Per name the
 * release wins (for extensions a missing author/description is taken from the catalog); names only the release or
 * only the catalog knows are both kept. Order: the release's order, then catalog-only entries in file order, so a
 * release with upstream manifests lists exactly what upstream lists.
 *
 * <p>Extra (custom) extensions ({@link ReleaseSource#extraExtensions}) come first, in their manifest's order, and win
 * a name they share with an official entry, which is then left out: the reference's extra extensions manifest.
 *
 * <p>Catalog files are read once, at start-up: on a thread of their own from the first start-up observer on, beside
 * the rest of the start (their YAML, parsed while the JVM is still cold, took ~0.1 s of it), and waited for by the last
 * one, so a malformed file still stops the service.
 */
@ApplicationScoped
public class Catalog {

    private static final TalosVersion FIRST_WITH_OVERLAYS = TalosVersion.of(1, 7, 0);

    private final ReleaseSource releases;
    private final VersionFilter filter;
    private final StartupLoad<CatalogFiles> files;

    @Inject
    Catalog(FactoryConfig config, ReleaseSource releases) {
        this(releases, VersionFilter.from(config.releases()),
                new StartupLoad<>("catalog-load", () -> CatalogFilesLoader.load(config.catalog().dir())));
    }

    public Catalog(ReleaseSource releases, VersionFilter filter, CatalogFiles files) {
        this(releases, filter, new StartupLoad<>("catalog-load", () -> files));
    }

    private Catalog(ReleaseSource releases, VersionFilter filter, StartupLoad<CatalogFiles> files) {
        this.releases = releases;
        this.filter = filter;
        this.files = files;
    }

    void startLoading(@Observes @Priority(Integer.MIN_VALUE) StartupEvent event) {
        files.start();
    }

    /** A malformed catalog file stops the start ({@link CatalogFileException}, naming the file). */
    void awaitLoaded(@Observes @Priority(Integer.MAX_VALUE) StartupEvent event) {
        files.get();
    }

    /** Available versions, ascending. */
    public List<TalosVersion> versions() {
        return filter.apply(releases.versions());
    }

    /** The newest available stable version ({@code latest} in registry pulls); empty when there is none. */
    public Optional<TalosVersion> latestStable() {
        List<TalosVersion> available = versions();
        for (int i = available.size() - 1; i >= 0; i--) {
            if (filter.isStable(available.get(i))) {
                return Optional.of(available.get(i));
            }
        }
        return Optional.empty();
    }

    /** Whether {@code version} counts as stable (not a pre-release, or a local stand-in build). */
    public boolean isStable(TalosVersion version) {
        return filter.isStable(version);
    }

    /** The configured broken versions, in configuration order. */
    public List<TalosVersion> brokenVersions() {
        return filter.broken();
    }

    /** Refuses a version that is not offered, with upstream's 404 message ({@code version 1.9.0 is not available}). */
    public void requireAvailable(TalosVersion version) {
        if (!versions().contains(version)) {
            throw new NotFoundException("version " + version.semver() + " is not available");
        }
    }

    public List<OfficialExtension> extensions(TalosVersion version) {
        requireAvailable(version);
        List<OfficialExtension> official = merge(releases.extensions(version), files.get().extensionsFor(version),
                OfficialExtension::name, OfficialExtension::describedBy);
        return extrasFirst(releases.extraExtensions(version).orElse(List.of()), official);
    }

    /** {@code extras} in their order, then the {@code official} entries whose names no extra entry takes. */
    static List<OfficialExtension> extrasFirst(List<OfficialExtension> extras, List<OfficialExtension> official) {
        if (extras.isEmpty()) {
            return official;
        }
        Map<String, OfficialExtension> joined = new LinkedHashMap<>();
        extras.forEach(extra -> joined.putIfAbsent(extra.name(), extra));
        official.forEach(entry -> joined.putIfAbsent(entry.name(), entry));
        return List.copyOf(joined.values());
    }

    /** Overlays need Talos 1.7 (pre-releases included); before that the list is empty, available or not. */
    public List<OfficialOverlay> overlays(TalosVersion version) {
        if (version.release().isBefore(FIRST_WITH_OVERLAYS)) {
            return List.of();
        }
        requireAvailable(version);
        return merge(releases.overlays(version), files.get().overlaysFor(version), OfficialOverlay::name,
                (fromRelease, fromCatalog) -> fromRelease);
    }

    /**
     * The extension a schematic's {@code requested} name means for {@code version}: the exact name, else its current
     * name from the alias table. Not offered → 400 with upstream's message.
     */
    public OfficialExtension resolveExtension(String requested, TalosVersion version) {
        return resolve(requested, extensions(version), version);
    }

    /** {@link #resolveExtension} for a schematic's whole list, in its order, reading the version's list once. */
    public List<OfficialExtension> resolveExtensions(List<String> requested, TalosVersion version) {
        if (requested.isEmpty()) {
            return List.of();
        }
        List<OfficialExtension> available = extensions(version);
        return requested.stream().map(name -> resolve(name, available, version)).toList();
    }

    private OfficialExtension resolve(String requested, List<OfficialExtension> available, TalosVersion version) {
        return find(available, requested)
                .or(() -> files.get().aliases().currentName(requested).flatMap(current -> find(available, current)))
                .orElseThrow(() -> new InvalidInputException("official extension \"" + requested
                        + "\" is not available for Talos version " + version));
    }

    private static Optional<OfficialExtension> find(List<OfficialExtension> extensions, String name) {
        return extensions.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    static <T> List<T> merge(Optional<List<T>> fromRelease, List<T> fromCatalog, Function<T, String> nameOf,
            BinaryOperator<T> releaseOverCatalog) {
        Map<String, T> catalogByName = new LinkedHashMap<>();
        fromCatalog.forEach(entry -> catalogByName.put(nameOf.apply(entry), entry));
        Map<String, T> merged = new LinkedHashMap<>();
        for (T entry : fromRelease.orElse(List.of())) {
            T fallback = catalogByName.get(nameOf.apply(entry));
            merged.putIfAbsent(nameOf.apply(entry), fallback == null ? entry : releaseOverCatalog.apply(entry, fallback));
        }
        catalogByName.forEach(merged::putIfAbsent);
        return List.copyOf(merged.values());
    }
}
