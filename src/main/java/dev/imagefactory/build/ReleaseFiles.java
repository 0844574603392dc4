package dev.imagefactory.build;

import dev.imagefactory.catalog.Arch;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ReleaseFile;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.catalog.TalosVersion;
import dev.imagefactory.errors.NotFoundException;

/** Boot files of an available release; a missing one (e.g. no arm64 in a release) is a 404 naming what is missing. */
final class ReleaseFiles {

    private final ReleaseSource source;

    ReleaseFiles(ReleaseSource source) {
        this.source = source;
    }

    ReleaseFile require(TalosVersion version, Arch arch, BootFile file) {
        return source.bootFile(version, arch, file).orElseThrow(() -> new NotFoundException(
                "Talos " + version + " has no " + file.fileName() + " for " + arch.goName()));
    }
}
