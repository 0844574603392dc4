package dev.imagefactory.build.iso;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Hybrid ISO (talos-imager.md §5.4): GRUB (i386-pc only) boots BIOS machines from {@code boot/}, and UEFI machines
 * boot systemd-boot + UKI from the ESP, appended as a GPT partition. Both scratch trees (§5.2 and §5.3, enrollment
 * {@code off}) share one directory.
 * <pre>
 * grub-mkrescue --compress=xz --output=- --verbose --directory=/usr/lib/grub/i386-pc -m efiboot.img -iso-level 3
 *   SCRATCH -eltorito-alt-boot -e --interval:appended_partition_2:all:: -append_partition 2 0xef SCRATCH/efiboot.img
 *   -appended_part_as_gpt -partition_cyl_align all -partition_offset 16 -iso_mbr_part_type 0x83 -no-emul-boot
 *   -- TRAILER
 * </pre>
 */
final class HybridIsoGenerator implements IsoGenerator {

    private final IsoTools tools;

    HybridIsoGenerator(IsoTools tools) {
        this.tools = tools;
    }

    @Override
    public void generate(IsoInputs inputs, Path work, Path output) throws IOException {
        ScratchTree scratch = new ScratchTree(work.resolve("scratch"));
        GrubIsoGenerator.prepare(inputs, scratch);
        Path esp = UefiIsoGenerator.prepare(tools, inputs, scratch);
        List<String> args = new ArrayList<>(List.of("--compress=xz", "--output=-", "--verbose",
                "--directory=" + IsoTools.GRUB_LIB.resolve("i386-pc"), "-m", UefiIsoGenerator.ESP_IMAGE,
                "-iso-level", "3", scratch.root().toString(),
                "-eltorito-alt-boot", "-e", "--interval:appended_partition_2:all::",
                "-append_partition", "2", "0xef", esp.toString(), "-appended_part_as_gpt",
                "-partition_cyl_align", "all", "-partition_offset", "16", "-iso_mbr_part_type", "0x83",
                "-no-emul-boot", "--"));
        args.addAll(IsoTrailer.args(inputs.quirks(), inputs.version()));
        tools.grubMkrescueInto(args, work, output);
    }
}
