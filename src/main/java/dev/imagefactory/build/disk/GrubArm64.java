package dev.imagefactory.build.disk;

import java.nio.file.Path;

/**
 * Where GRUB's arm64-efi platform (modules, kernel.img, moddep.lst of Debian's grub-efi-arm64-bin) lives: Debian 12
 * ships that package for arm64 only, so on amd64 scripts/fetch-grub-arm64 unpacks it here (.ci/run and the
 * Dockerfile run it). Not under /usr/lib/grub (IsoTools.GRUB_LIB): grub-mkrescue would then put an arm64 GRUB into
 * every GRUB ISO it makes and change their bytes. Pass it to grub-mkimage as {@code --directory}.
 */
public final class GrubArm64 {

    public static final Path MODULES = Path.of("/usr/local/lib/image-factory/grub/arm64-efi");

    private GrubArm64() {
    }
}
