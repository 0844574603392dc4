package dev.imagefactory.build;

import dev.imagefactory.cache.ArtifactBuilds;
import dev.imagefactory.cache.ArtifactLease;
import dev.imagefactory.cache.CacheKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code cmdline-<platform>-<arch>[-secureboot]}: the kernel command line (talos-imager.md §3) as bytes without a
 * trailing newline. Like upstream, the cmdline asset does not carry the overlay's kernel arguments (the factory adds
 * no overlay to kernel and cmdline profiles), so none are passed here.
 */
final class CmdlineStep {

    private static final String STEP_VERSION = "cmdline-1";

    private final ArtifactBuilds builds;

    CmdlineStep(ArtifactBuilds builds) {
        this.builds = builds;
    }

    static String cmdline(BuildRequest request) {
        Profile p = request.profile();
        return CmdlineBuilder.forSchematic(p.platform(), p.arch(), request.quirks(), p.kind(), p.secureBoot(),
                request.schematic().schematic().customization(), List.of()).render();
    }

    CompletableFuture<ArtifactLease> build(BuildRequest request) {
        String cmdline = cmdline(request);
        CacheKey key = Keys.of(request.profile(), STEP_VERSION, "cmdline=" + cmdline);
        return builds.leaseAsync(key, Keys.labels(request.profile()), work -> {
            Path out = work.resolve("cmdline");
            Files.writeString(out, cmdline, StandardCharsets.UTF_8);
            return out;
        });
    }
}
