package dev.imagefactory.build;

import dev.imagefactory.model.Arch;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ReleaseSource;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.errors.NotFoundException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** Boot files of an available release; a missing one (e.g. no arm64 in a release) is a 404 naming what is missing. */
@Singleton
public class ReleaseFiles {

    private final ReleaseSource source;

    @Inject
    public ReleaseFiles(ReleaseSource source) {
        this.source = source;
    }

    ReleaseInput require(TalosVersion version, Arch arch, BootFile file) {
        return new ReleaseInput(file, source.bootFile(version, arch, file).orElseThrow(() -> new NotFoundException(
                "Talos " + version + " has no " + file.fileName() + " for " + arch.goName())));
    }
}
