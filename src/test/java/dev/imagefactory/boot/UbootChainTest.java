package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.build.overlay.OverlayInstaller;
import dev.imagefactory.catalog.DirectoryReleaseSource;
import dev.imagefactory.catalog.OfficialOverlay;
import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.catalog.ReleaseCache;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-board boot chain of issue 15, proven by hand before the disk image builder exists: a GPT disk made here
 * with stock tools in the layout of a Talos GRUB disk image (talos-imager.md §6.3: EFI, BIOS, BOOT, META), its entries
 * moved by the stand-in board overlay's {@code partitionOptions.offset}, the overlay's real installer run through
 * {@link OverlayInstaller} (firmware into the ESP root, its block into the offset gap), GRUB for arm64 as
 * {@code EFI/BOOT/BOOTAA64.EFI}, the stand-in v1.11 arm64 kernel and initramfs on an XFS BOOT partition; then
 * {@code qemu-system-aarch64 -M virt -cpu cortex-a57 -bios <u-boot.bin read back out of the ESP>} must go
 * U-Boot → GRUB → kernel → the stand-in init's FACTORY-REPORT line with the overlay's console argument.
 *
 * <p>What U-Boot 2023.01 (Debian's u-boot-qemu, qemu_arm64) and GRUB 2.06 need, as found with this test:
 * <ul>
 * <li>U-Boot runs distro boot: boot_targets in order qfw (QEMU fw_cfg: "no kernel available", harmless), usb, scsi,
 *     virtio, nvme, dhcp. The virtio disk is found both as virtio-mmio ({@code -drive if=none} +
 *     {@code -device virtio-blk-device}, used here) and as virtio-pci ({@code -drive if=virtio}, also tried). No
 *     {@code virtio scan}, boot script or environment is needed.</li>
 * <li>On GPT, U-Boot scans the "bootable" partitions: those with the EFI system partition type GUID (or the legacy
 *     BIOS bootable attribute), so partition 1 (EFI) is scanned without any attribute bit ("Scanning virtio 0:1").
 *     It reads the entries where the header says (LBA 2050 here): the overlay offset does not disturb it.</li>
 * <li>EFI: U-Boot has no saved variables ("Unable to read file ubootefi.var", "BootOrder not defined": harmless), so
 *     its boot manager finds nothing and it falls back to the removable-media path {@code efi/boot/bootaa64.efi};
 *     FAT lookups ignore case, so {@code EFI/BOOT/BOOTAA64.EFI} (the Talos spelling) is found.</li>
 * <li>GRUB needs its prefix embedded: with an empty {@code -p} it looks beside itself ((hd0,gpt1)/EFI/BOOT), finds no
 *     grub.cfg and stops at "grub>". With Talos' {@code --prefix (hd0,gpt3)/grub} it reads BOOT's grub.cfg: under
 *     U-Boot's EFI the virtio disk is hd0. {@code --compression xz} is accepted for arm64-efi. GRUB 2.06 reads the
 *     XFS that Debian 12's mkfs.xfs makes from a protofile.</li>
 * <li>The kernel: GRUB boots the arm64 Image (a PE file) through its EFI stub; U-Boot hands over QEMU's device tree
 *     through the EFI configuration table ("EFI stub: Using DTB from configuration table"), so the disk needs no DTB.
 *     The console is the PL011 UART: {@code console=ttyAMA0,115200}, the overlay's get-options argument, puts the
 *     kernel log and the report line on the serial port.</li>
 * <li>1 GiB of RAM; about 15 s under TCG on the development machine.</li>
 * </ul>
 * The arm64 GRUB modules come from {@link TestGrubArm64} (test-side).
 */
@Tag("slow")
class UbootChainTest {

    private static final ProcessRunner TOOLS = new ProcessRunner(Duration.ofMinutes(3));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);
    private static final long MIB = 1 << 20;
    /** The modules of a Talos GRUB EFI image (talos-imager.md §6.3). */
    private static final List<String> GRUB_MODULES = List.of("part_gpt", "ext2", "fat", "xfs", "normal", "configfile",
            "linux", "boot", "search", "search_fs_uuid", "search_fs_file", "ls", "cat", "echo", "test", "help", "reboot",
            "halt", "all_video");

    @TempDir
    Path tmp;

    @Test
    void ubootFindsGrubWhichBootsTheStandinKernelWithTheOverlaysConsole() throws Exception {
        Path release = StandinRelease.version(StandinRelease.V1_11);
        DirectoryReleaseSource source = new DirectoryReleaseSource(release.getParent(), new ReleaseCache(tmp.resolve("cache")));
        TalosVersion version = TalosVersion.parse(StandinRelease.V1_11);
        OfficialOverlay official = source.overlays(version).orElseThrow().get(0);
        // the build host's copy is the one whose installer runs and whose artifacts reach the disk (§1.7)
        OverlayImage overlay = source.overlayImage(version, official, OverlayInstaller.hostArch());
        Map<Object, Object> options = Map.of("board", "qemu-virt");
        OverlayInstaller installer = new OverlayInstaller(TOOLS, overlay, tmp.resolve("work"));
        OverlayInstaller.Options answer = installer.getOptions(options);
        assertEquals(List.of("console=ttyAMA0,115200"), answer.kernelArgs());

        // the GPT: Talos' GRUB layout (smaller partitions), entries at LBA 2 + the overlay's offset
        Path disk = tmp.resolve("disk.raw");
        run("truncate", "-s", Long.toString(600 * MIB), disk.toString());
        run("sgdisk", "-j", Long.toString(2 + answer.partitionOffsetLbas()),
                "-n", "1:0:+64M", "-t", "1:EF00", "-c", "1:EFI",
                "-n", "2:0:+1M", "-t", "2:EF02", "-c", "2:BIOS",
                "-n", "3:0:+400M", "-t", "3:8300", "-c", "3:BOOT",
                "-n", "4:0:+1M", "-t", "4:8300", "-c", "4:META", disk.toString());
        JsonNode table = JSON.readTree(run("sfdisk", "--json", disk.toString())).get("partitiontable");
        assertEquals(2 + answer.partitionOffsetLbas() + 32, table.get("firstlba").asLong(), "entries after the offset");

        // the overlay installs into the image: files for the ESP root under <mountPrefix>/boot/EFI, its raw block
        Path mount = tmp.resolve("mount");
        installer.install(disk, mount, overlay.artifacts(), options);

        // ESP: the overlay's files at the root, GRUB as the removable-media loader
        Path espTree = OverlayInstaller.efiOutput(mount);
        Files.createDirectories(espTree.resolve("EFI/BOOT"));
        List<String> mkimage = new ArrayList<>(List.of("grub-mkimage", "--format", "arm64-efi", "--directory",
                TestGrubArm64.modules().toString(), "--output", espTree.resolve("EFI/BOOT/BOOTAA64.EFI").toString(),
                "--prefix", "(hd0,gpt3)/grub", "--compression", "xz"));
        mkimage.addAll(GRUB_MODULES);
        run(mkimage);
        Path esp = tmp.resolve("esp.img");
        run("truncate", "-s", Long.toString(64 * MIB), esp.toString());
        run("mkfs.vfat", "-F", "32", "-n", "EFI", "--invariant", esp.toString());
        try (Stream<Path> top = Files.list(espTree)) {
            for (Path entry : top.sorted().toList()) {
                run("mcopy", "-s", "-p", "-Q", "-m", "-i", esp.toString(), entry.toString(), "::");
            }
        }

        // BOOT: XFS from a protofile with A/vmlinuz, A/initramfs.xz and grub/grub.cfg
        String cmdline = String.join(" ", answer.kernelArgs()) + " talos.platform=metal";
        Path grubCfg = Files.writeString(tmp.resolve("grub.cfg"), """
                set default="A - Talos stand-in"
                set timeout=3
                insmod all_video
                terminal_input console
                terminal_output console
                menuentry "A - Talos stand-in" {
                  set gfxmode=auto
                  set gfxpayload=text
                  linux /A/vmlinuz %s
                  initrd /A/initramfs.xz
                }
                """.formatted(cmdline));
        Path arm64 = release.resolve("usr/install/arm64");
        Path proto = Files.writeString(tmp.resolve("proto"), """
                /dev/null
                0 0
                d--755 0 0
                A d--755 0 0
                vmlinuz ---644 0 0 %s
                initramfs.xz ---644 0 0 %s
                $
                grub d--755 0 0
                grub.cfg ---644 0 0 %s
                $
                $
                """.formatted(arm64.resolve("vmlinuz"), arm64.resolve("initramfs.xz"), grubCfg));
        Path boot = tmp.resolve("boot.img");
        run("truncate", "-s", Long.toString(400 * MIB), boot.toString());
        run("mkfs.xfs", "-q", "-f", "-n", "ftype=1", "-L", "BOOT", "-p", proto.toString(), boot.toString());

        JsonNode partitions = table.get("partitions");
        copyInto(esp, disk, partitions.get(0).get("start").asLong() * 512);
        copyInto(boot, disk, partitions.get(2).get("start").asLong() * 512);
        String verify = run("sgdisk", "-v", disk.toString());
        assertTrue(verify.contains("No problems found"), verify);
        assertEquals("STANDIN-BOARD BOOT0", new String(read(disk, 8192, 19), StandardCharsets.US_ASCII),
                "the overlay's block in the offset gap survives the partitioning and the partition copies");

        // the ESP root holds what the overlay installed: the options it received (read back), the marker, U-Boot
        assertEquals("board: qemu-virt\n", run("mtype", "-i", esp.toString(), "::/standin-board-options.yaml"));
        assertEquals("STANDIN BOOT FIRMWARE arm64\n", run("mtype", "-i", esp.toString(), "::/standin-board-firmware.bin"));
        // the firmware QEMU runs is the u-boot.bin read back out of the ESP
        Path uboot = tmp.resolve("u-boot-from-esp.bin");
        run("mcopy", "-i", esp.toString(), "::/u-boot.bin", uboot.toString());
        assertArrayEquals(Files.readAllBytes(overlay.artifacts().resolve("arm64/u-boot/standin-board/u-boot.bin")),
                Files.readAllBytes(uboot));

        Path serial = tmp.resolve("serial.log");
        String log = boot(List.of("qemu-system-aarch64", "-machine", "virt", "-cpu", "cortex-a57", "-m", "1024",
                "-accel", "tcg", "-nographic", "-no-reboot", "-monitor", "none", "-serial", "file:" + serial,
                "-bios", uboot.toString(),
                "-drive", "if=none,id=disk,format=raw,file=" + disk,
                "-device", "virtio-blk-device,drive=disk"), serial);
        for (String step : List.of("U-Boot 2023.01", "Scanning virtio 0:1", "efi/boot/bootaa64.efi", "GNU GRUB",
                "Booting `A - Talos stand-in'", "EFI v2.100 by Das U-Boot")) {
            assertTrue(log.contains(step), "the serial log shows \"" + step + "\":\n" + tail(log));
        }
        Optional<String> report = Qemu.reportJson(log);
        assertTrue(report.isPresent(), "no FACTORY-REPORT line:\n" + tail(log));
        JsonNode json = JSON.readTree(report.get().getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("BOOT_IMAGE=/A/vmlinuz " + cmdline, json.get("cmdline").asText());
        assertEquals(StandinRelease.kernelRelease(StandinRelease.V1_11, "arm64"), json.get("kernelRelease").asText());
        assertEquals("[]", json.get("errors").toString(), report.get());
    }

    private static String run(String... args) {
        return run(List.of(args));
    }

    private static String run(List<String> args) {
        return TOOLS.run(Command.of(args)).stdout();
    }

    /** Writes {@code image} into {@code disk} at {@code offset}, keeping holes holes. */
    private static void copyInto(Path image, Path disk, long offset) {
        run("dd", "if=" + image, "of=" + disk, "bs=1M", "seek=" + offset, "oflag=seek_bytes", "conv=notrunc,sparse",
                "status=none");
    }

    private static byte[] read(Path file, long at, int length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] bytes = new byte[length];
            raf.seek(at);
            raf.readFully(bytes);
            return bytes;
        }
    }

    /** Runs QEMU until it powers off (the stand-in init does after its report) or the timeout; the serial log. */
    private static String boot(List<String> command, Path serial) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            if (!process.waitFor(BOOT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            process.destroyForcibly();
        }
        return Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1) : "";
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
