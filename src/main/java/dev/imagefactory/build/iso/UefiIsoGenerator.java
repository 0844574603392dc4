package dev.imagefactory.build.iso;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * UEFI-only ISO (talos-imager.md §5.3): systemd-boot and the UKI on a FAT32 ESP appended to the ISO as MBR
 * partition 2 (type 0xEF) and used as the El Torito EFI image; the ISO9660 tree holds the same {@code EFI/} and
 * {@code loader/} files. The only layout for SecureBoot: then systemd-boot and the UKI come signed and
 * {@link IsoInputs#extraEspFiles()} adds the certificate and the enrollment {@code .auth} files.
 * <pre>
 * xorrisofs -e --interval:appended_partition_2:all:: -append_partition 2 0xef SCRATCH/efiboot.img
 *   -partition_cyl_align all -partition_offset 16 -iso_mbr_part_type 0x83 -no-emul-boot -m efiboot.img
 *   -iso-level 3 -o - SCRATCH -- TRAILER
 * </pre>
 * The image is written to stdout and taken in by {@link IsoTools#runInto}, hashed as it comes: the same bytes as
 * with {@code -o FILE}, since xorriso writes an image front to back.
 */
final class UefiIsoGenerator implements IsoGenerator {

    static final String ESP_IMAGE = "efiboot.img";
    /** systemd-boot >= 261 writes a refreshed seed back unless the file is read-only; 32 zero bytes, 0444. */
    static final int RANDOM_SEED_BYTES = 32;

    private final IsoTools tools;

    UefiIsoGenerator(IsoTools tools) {
        this.tools = tools;
    }

    @Override
    public void generate(IsoInputs inputs, Path work, Path output) throws IOException {
        ScratchTree scratch = new ScratchTree(work.resolve("scratch"));
        Path esp = prepare(tools, inputs, scratch);
        List<String> args = new ArrayList<>(List.of("xorrisofs",
                "-e", "--interval:appended_partition_2:all::", "-append_partition", "2", "0xef", esp.toString(),
                "-partition_cyl_align", "all", "-partition_offset", "16", "-iso_mbr_part_type", "0x83",
                "-no-emul-boot", "-m", ESP_IMAGE, "-iso-level", "3", "-o", "-", scratch.root().toString(),
                "--"));
        args.addAll(IsoTrailer.args(inputs.quirks(), inputs.version()));
        tools.runInto(args, output);
    }

    /**
     * Writes {@code EFI/BOOT/BOOTX64.EFI} (systemd-boot), {@code EFI/Linux/Talos-<version>.efi} (the UKI),
     * {@code loader/loader.conf}, {@code loader/random-seed} and the extra files into the scratch tree, pins the
     * mtimes and builds {@code efiboot.img} from them. Returns the ESP image's path.
     */
    static Path prepare(IsoTools tools, IsoInputs inputs, ScratchTree scratch) throws IOException {
        if (inputs.systemdBoot() == null) {
            throw new IllegalArgumentException("a UEFI ISO needs systemd-boot and a UKI");
        }
        Path esp = scratch.resolve(ESP_IMAGE);
        long size = EfiPartition.sizeBytes(Files.size(inputs.systemdBoot()), Files.size(inputs.uki()));
        scratch.copy(inputs.systemdBoot(), inputs.removableLoaderPath());
        scratch.copy(inputs.uki(), inputs.ukiPath());
        scratch.write("loader/loader.conf", LoaderConf.render(inputs.secureBootEnroll()));
        scratch.write("loader/random-seed", new byte[RANDOM_SEED_BYTES], "r--r--r--");
        for (Map.Entry<String, Path> extra : inputs.extraEspFiles().entrySet()) {
            scratch.copy(extra.getValue(), extra.getKey());
        }
        scratch.pinTimes();
        EfiPartition.build(tools, scratch, esp, size);
        return esp;
    }
}
