package dev.imagefactory.build.initramfs;

import dev.imagefactory.cache.CacheKey;
import java.nio.file.Path;

/**
 * Where intermediate build products (per-extension squashfs) are kept between builds, so a second schematic with
 * the same extension does not run mksquashfs again. The returned file is read only.
 */
@FunctionalInterface
public interface IntermediateStore {

    Path getOrBuild(CacheKey key, String kind, Build build);

    @FunctionalInterface
    interface Build {
        /** Produces the product inside {@code workDir} and returns its path. */
        Path build(Path workDir) throws Exception;
    }
}
