package dev.imagefactory.build.disk;

import dev.imagefactory.tools.ProcessRunner;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Builds a raw disk image the way Talos' imager does in image mode (talos-imager.md §6.2–6.5), without root, loop
 * devices or mounts: a sparse file of the exact size, the GPT written into it, each file system built as a file of
 * its partition's exact size and copied into the partition's byte range (holes stay holes), GRUB's BIOS code and the
 * META ADV written in place.
 */
public final class DiskImageBuilder {

    private final ProcessRunner runner;

    public DiskImageBuilder(ProcessRunner runner) {
        this.runner = runner;
    }

    /** Builds {@code out} (created or replaced) from {@code contents} in {@code shape}; scratch files go to {@code work}. */
    public void build(DiskShape shape, DiskContents contents, Path out, Path work) throws IOException {
        int sector = shape.sectorSize();
        long entriesOffset = contents.entriesOffset();
        List<GptPartition> partitions = Gpt.layout(sector, shape.sizeBytes(), entriesOffset, shape.requests());
        Files.deleteIfExists(out);
        try (RandomAccessFile file = new RandomAccessFile(out.toFile(), "rw")) {
            file.setLength(shape.sizeBytes());
        }
        Gpt.write(out, sector, shape.sizeBytes(), entriesOffset, partitions);
        for (int i = 0; i < partitions.size(); i++) {
            GptPartition partition = partitions.get(i);
            switch (shape.partitions().get(i).role()) {
                case EFI_SYSTEMD_BOOT -> fat(out, partition, sector,
                        withOverlay(out, systemdBootTree(contents, work), contents, work), work);
                case EFI_GRUB -> fat(out, partition, sector, withOverlay(out, grubEfiTree(contents, work), contents, work),
                        work);
                case BIOS -> {
                    Path core = work.resolve("core.img");
                    GrubDiskBoot.coreImage(runner, core);
                    GrubDiskBoot.installBios(out, core, partition.firstLba(), sector);
                }
                case BOOT -> xfs(out, partition, sector, bootTree(contents, work), contents, work);
                case META -> {
                    if (!contents.meta().isEmpty()) {
                        writeAt(out, partition.offsetBytes(sector), TalosAdv.encode(contents.meta()));
                    }
                }
                case UNFORMATTED -> {
                    // STATE and EPHEMERAL of Talos < 1.8: Talos formats them on first boot
                }
            }
        }
    }

    /**
     * Runs the board overlay's install step, in the layouts that have one (GRUB and dual-boot, §1.8), after the GPT
     * is written (the installer may write into the sectors its offset reserved) and adds what it left for the ESP to
     * the ESP's tree, at its root.
     */
    private static Path withOverlay(Path disk, Path espTree, DiskContents contents, Path work) throws IOException {
        if (contents.overlay().isEmpty() || !contents.layout().usesGrub()) {
            return espTree;
        }
        Path firmware = contents.overlay().get().install(disk, Files.createDirectories(work.resolve("overlay-mount")));
        if (Files.isDirectory(firmware)) {
            try (var files = Files.walk(firmware)) {
                for (Path from : files.sorted().toList()) {
                    Path to = espTree.resolve(firmware.relativize(from).toString());
                    if (Files.isDirectory(from)) {
                        Files.createDirectories(to);
                    } else {
                        linkOrCopy(from, to);
                    }
                }
            }
        }
        return espTree;
    }

    /** ESP of the UKI layouts: systemd-boot as the removable-media loader, the UKI, loader.conf, enrollment files. */
    private static Path systemdBootTree(DiskContents contents, Path work) throws IOException {
        Path tree = Files.createDirectories(work.resolve("efi"));
        linkOrCopy(contents.systemdBoot().orElseThrow(), tree.resolve(contents.removableLoaderPath()));
        linkOrCopy(contents.uki().orElseThrow(), tree.resolve(contents.ukiPath()));
        write(tree.resolve("loader/loader.conf"), contents.loaderConf());
        for (Map.Entry<String, Path> extra : contents.extraEspFiles().entrySet()) {
            linkOrCopy(extra.getValue(), tree.resolve(extra.getKey()));
        }
        return tree;
    }

    /** ESP of the GRUB layout: GRUB's EFI image as the removable-media loader. */
    private Path grubEfiTree(DiskContents contents, Path work) throws IOException {
        Path tree = Files.createDirectories(work.resolve("efi"));
        Path loader = tree.resolve(contents.removableLoaderPath());
        Files.createDirectories(loader.getParent());
        GrubDiskBoot.efiImage(runner, contents.arch(), loader);
        return tree;
    }

    /** BOOT: {@code A/vmlinuz}, {@code A/initramfs.xz}, {@code grub/grub.cfg}. */
    private static Path bootTree(DiskContents contents, Path work) throws IOException {
        Path tree = Files.createDirectories(work.resolve("boot"));
        linkOrCopy(contents.kernel().orElseThrow(), tree.resolve("A/vmlinuz"));
        linkOrCopy(contents.initramfs().orElseThrow(), tree.resolve("A/initramfs.xz"));
        write(tree.resolve("grub/grub.cfg"), GrubDiskBoot.config(contents.versionTag(), contents.cmdline(),
                contents.quirks().supportsResetGrubOption()));
        return tree;
    }

    private void fat(Path disk, GptPartition partition, int sector, Path tree, Path work) throws IOException {
        FatImage.buildInto(runner, disk, partition.offsetBytes(sector), partition.sizeBytes(sector), sector, "EFI",
                tree, work);
    }

    private void xfs(Path disk, GptPartition partition, int sector, Path tree, DiskContents contents, Path work)
            throws IOException {
        Path image = work.resolve("BOOT.img");
        XfsImage.build(runner, image, partition.sizeBytes(sector), sector, "BOOT", Gpt.guidFromLabel("BOOT"),
                contents.quirks(), tree);
        SparseCopy.copyDataInto(runner, image, disk, partition.offsetBytes(sector));
        Files.delete(image);
    }

    private static void writeAt(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long position = offset;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
        }
    }

    /**
     * Puts {@code from} at {@code to}: a hard link when both are on one file system (the UKI and initramfs are cache
     * files beside the work dir; copying them cost ~0.1 s per 250 MB), else a copy. The trees are only read: mtools
     * and mkfs.xfs take the content and mode, not the times (FatImage, XfsImage), and nothing is written to them.
     */
    private static void linkOrCopy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.deleteIfExists(to);
        try {
            Files.createLink(to, from);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void write(Path to, String text) throws IOException {
        Files.createDirectories(to.getParent());
        Files.writeString(to, text, StandardCharsets.UTF_8);
    }
}
