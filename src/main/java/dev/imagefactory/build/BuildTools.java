package dev.imagefactory.build;

import dev.imagefactory.build.disk.DiskImageBuilder;
import dev.imagefactory.build.initramfs.InitramfsBuilder;
import dev.imagefactory.build.initramfs.Squashfs;
import dev.imagefactory.build.iso.IsoBuilder;
import dev.imagefactory.build.iso.IsoTools;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.tools.ProcessRunner;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/** The external tools the steps run, with a process timeout just beyond the build timeout (which interrupts first). */
final class BuildTools {

    @Produces
    @Singleton
    static ProcessRunner stepRunner(FactoryConfig config) {
        return new ProcessRunner(config.build().timeout().plus(Duration.ofMinutes(1)));
    }

    @Produces
    @Singleton
    static Squashfs squashfs(ProcessRunner runner) {
        return new Squashfs(runner);
    }

    @Produces
    @Singleton
    static InitramfsBuilder initramfsBuilder(ProcessRunner runner, Squashfs squashfs) {
        return new InitramfsBuilder(runner, squashfs);
    }

    @Produces
    @Singleton
    static IsoBuilder isoBuilder(ProcessRunner runner) {
        return new IsoBuilder(new IsoTools(runner));
    }

    @Produces
    @Singleton
    static DiskImageBuilder diskImageBuilder(ProcessRunner runner) {
        return new DiskImageBuilder(runner);
    }
}
