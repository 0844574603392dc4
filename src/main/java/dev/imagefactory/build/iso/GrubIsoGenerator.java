package dev.imagefactory.build.iso;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GRUB ISO for BIOS and UEFI (talos-imager.md §5.2): the kernel, initramfs and grub.cfg under {@code boot/}, turned
 * into a bootable ISO by grub-mkrescue (which adds GRUB for every platform under {@code /usr/lib/grub}: i386-pc and
 * x86_64-efi in the factory's image).
 * <pre>
 * grub-mkrescue --compress=xz --output=- --verbose SCRATCH -iso-level 3 -- TRAILER
 * </pre>
 */
final class GrubIsoGenerator implements IsoGenerator {

    private final IsoTools tools;

    GrubIsoGenerator(IsoTools tools) {
        this.tools = tools;
    }

    @Override
    public void generate(IsoInputs inputs, Path work, Path output) throws IOException {
        ScratchTree scratch = new ScratchTree(work.resolve("scratch"));
        prepare(inputs, scratch);
        List<String> args = new ArrayList<>(List.of("--compress=xz", "--output=-", "--verbose",
                scratch.root().toString(), "-iso-level", "3", "--"));
        args.addAll(IsoTrailer.args(inputs.quirks(), inputs.version()));
        tools.grubMkrescueInto(args, work, output);
    }

    /** {@code boot/vmlinuz}, {@code boot/initramfs.xz}, {@code boot/grub/grub.cfg}; mtimes pinned. */
    static void prepare(IsoInputs inputs, ScratchTree scratch) throws IOException {
        scratch.copy(inputs.kernel(), "boot/vmlinuz");
        scratch.copy(inputs.initramfs(), "boot/initramfs.xz");
        scratch.write("boot/grub/grub.cfg", GrubConfig.render(inputs.cmdline(), inputs.quirks().supportsResetGrubOption()));
        scratch.pinTimes();
    }
}
