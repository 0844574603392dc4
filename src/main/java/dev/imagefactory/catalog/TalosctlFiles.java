package dev.imagefactory.catalog;

import dev.imagefactory.errors.NotFoundException;
import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The talosctl binaries of a release (reference {@code /talosctl/:version}): the files {@code talosctl-<os>-<arch>}
 * and {@code talosctl-windows-<arch>.exe} of its {@code talosctl-all} image or {@code talosctl/} directory. Only names
 * of that shape are listed or served, so a request can never name another file of the release.
 */
@ApplicationScoped
public class TalosctlFiles {

    private static final Pattern NAME = Pattern.compile("talosctl-[a-z0-9]+-[a-z0-9]+(\\.exe)?");

    @Inject
    ReleaseSource releases;

    @Inject
    Catalog catalog;

    /** Whether {@code name} is a talosctl binary's name (no directory part). */
    public static boolean isTalosctlName(String name) {
        return NAME.matcher(name).matches();
    }

    /**
     * The file names, sorted; empty before Talos 1.11 as upstream (its UI offers talosctl from 1.11).
     *
     * @throws NotFoundException when the version is not offered
     */
    public List<String> list(TalosVersion version) {
        catalog.requireAvailable(version);
        if (!Quirks.of(version).supportsFactoryTalosctlDownload()) {
            return List.of();
        }
        return directory(version).map(TalosctlFiles::names).orElse(List.of());
    }

    /**
     * One binary (a regular file, never a link).
     *
     * @throws NotFoundException when the version is not offered or has no such binary
     */
    public Path file(TalosVersion version, String name) {
        catalog.requireAvailable(version);
        return Optional.of(name).filter(TalosctlFiles::isTalosctlName)
                .flatMap(n -> directory(version).map(dir -> dir.resolve(n)))
                .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                .orElseThrow(() -> new NotFoundException("talosctl file \"" + name + "\" is not available for version "
                        + version.semver()));
    }

    private Optional<Path> directory(TalosVersion version) {
        return releases.talosctl(version);
    }

    private static List<String> names(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString())
                    .filter(TalosctlFiles::isTalosctlName)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
