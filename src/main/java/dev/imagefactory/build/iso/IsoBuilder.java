package dev.imagefactory.build.iso;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds an ISO of a given layout (talos-imager.md §5) into a work directory. Two builds from the same inputs give
 * the same bytes: mtimes and every date xorriso records are SOURCE_DATE_EPOCH, the ESP is made with
 * {@code mkfs.vfat --invariant} and filled with pinned mtimes, and grub-mkrescue's EFI image gets a fixed FAT
 * serial number (see {@link IsoTools}).
 */
public final class IsoBuilder {

    private final IsoTools tools;

    public IsoBuilder(IsoTools tools) {
        this.tools = tools;
    }

    /** Builds the ISO inside {@code work} (which must be empty or absent) and returns its path there. */
    public Path build(IsoLayout layout, IsoInputs inputs, Path work) throws IOException {
        if (layout.usesUki() && inputs.uki() == null) {
            throw new IllegalArgumentException(layout + " ISO needs systemd-boot and a UKI");
        }
        Files.createDirectories(work);
        Path output = work.resolve("image.iso");
        generator(layout).generate(inputs, work, output);
        return output;
    }

    private IsoGenerator generator(IsoLayout layout) {
        return switch (layout) {
            case GRUB -> new GrubIsoGenerator(tools);
            case UEFI -> new UefiIsoGenerator(tools);
            case HYBRID -> new HybridIsoGenerator(tools);
        };
    }
}
