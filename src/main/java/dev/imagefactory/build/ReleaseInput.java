package dev.imagefactory.build;

import dev.imagefactory.model.PlanValue;

import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.ReleaseFile;
import java.nio.file.Path;

/** A boot file of the release, identified in a plan by its name and SHA-256; its path is read when executed. */
public record ReleaseInput(BootFile file, ReleaseFile release) implements PlanValue {

    public Path path() {
        return release.path();
    }

    public String sha256() {
        return release.sha256();
    }

    @Override
    public String canonical() {
        return file.fileName() + "@sha256:" + release.sha256();
    }
}
