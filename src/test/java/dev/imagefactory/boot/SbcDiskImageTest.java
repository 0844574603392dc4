package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.build.disk.TalosAdvReader;
import dev.imagefactory.model.Arch;
import dev.imagefactory.tools.ProcessRunner.Command;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: a single-board computer's disk image. The stand-in release's {@code standin-board} overlay selects the
 * GRUB layout (its profile), asks for 2048 reserved sectors before the GPT's entries and the console args of its
 * board ({@code get-options}), and installs QEMU's arm64 U-Boot, a marker firmware and the options it was given into
 * the ESP and a recognisable block into the reserved sectors ({@code install}). The image is checked by stock
 * readers, then booted as the board would: QEMU's {@code virt} machine running the U-Boot read back out of the ESP,
 * which finds GRUB's removable EFI loader, which boots the kernel and initramfs from BOOT.
 *
 * <p>What U-Boot 2023.01 (Debian's u-boot-qemu, qemu_arm64) and GRUB 2.06 need, as found while building this:
 * <ul>
 * <li>U-Boot runs distro boot (qfw, usb, scsi, virtio, ...) and finds the virtio disk as virtio-mmio
 *     ({@code -device virtio-blk-device}) or virtio-pci; no boot script or environment is needed.</li>
 * <li>On GPT it scans the partitions with the EFI system type GUID, reading the entries where the header says (the
 *     overlay's offset does not disturb it), and with no saved EFI variables falls back to the removable-media path
 *     {@code efi/boot/bootaa64.efi}; FAT lookups ignore case.</li>
 * <li>GRUB needs its prefix embedded ({@code (hd0,gpt3)/grub}, Talos'): under U-Boot's EFI the virtio disk is hd0.
 *     GRUB boots the arm64 kernel through its EFI stub; the device tree comes from U-Boot's EFI configuration table.
 *     {@code console=ttyAMA0,115200} (the overlay's argument) puts the kernel log and the report on the serial port.</li>
 * </ul>
 */
@Tag("slow")
@QuarkusTest
@TestProfile(DiskImageProfile.class)
class SbcDiskImageTest {

    static final String SCHEMATIC = """
            overlay:
              image: standin/sbc-standin
              name: standin-board
              options:
                configTxtAppend: dtoverlay=vc4-kms-v3d
                answer: 42
            customization:
              extraKernelArgs: [sbc.test=1]
              meta:
                - key: 10
                  value: board-meta
              systemExtensions:
                officialExtensions: [standin/dummy-module]
            """;

    @TestHTTPResource("/")
    URI base;

    @TempDir
    Path tmp;

    @Test
    void boardImageHasTheOverlaysLayoutAndBootsThroughUbootAndGrub() throws Exception {
        String v = StandinRelease.V1_11;
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        Path xz = DiskImages.download(base.resolve("/image/" + id + "/" + v + "/metal-arm64.raw.xz"),
                tmp.resolve("sbc.raw.xz"));
        DiskImages.TOOLS.run(Command.of("xz", "-d", xz.toString()));
        Path disk = tmp.resolve("sbc.raw");

        // the GPT's entries start at the overlay's offset; the board's block sits in the sectors it reserved
        String sgdisk = DiskImages.TOOLS.run(Command.of("sgdisk", "-p", disk.toString())).stdout();
        assertTrue(sgdisk.contains("Main partition table begins at sector 2050"), sgdisk);
        assertTrue(DiskImages.TOOLS.run(Command.of("sgdisk", "-v", disk.toString())).stdout()
                .contains("No problems found"));
        assertEquals("STANDIN-BOARD BOOT0", new String(read(disk, 8192, 19), StandardCharsets.US_ASCII));
        JsonNode table = DiskImages.partitionTable(disk);
        assertEquals(List.of("EFI", "BIOS", "BOOT", "META"), DiskImages.names(table), "the grub layout");

        Path esp = DiskImages.extract(disk, table, 0, tmp.resolve("esp.img"));
        String listing = DiskImages.fatListing(esp).toLowerCase(java.util.Locale.ROOT);
        for (String file : List.of("::/u-boot.bin", "::/standin-board-firmware.bin", "::/efi/boot/bootaa64.efi")) {
            assertTrue(listing.contains(file), file + " on the ESP:\n" + listing);
        }
        String options = Files.readString(DiskImages.fatFile(esp, "standin-board-options.yaml", tmp.resolve("o.yaml")));
        assertEquals("answer: 42\nconfigTxtAppend: dtoverlay=vc4-kms-v3d\n", options,
                "the installer got the schematic's options");

        Path boot = DiskImages.extract(disk, table, 2, tmp.resolve("boot.img"));
        String grubCfg = DiskImages.TOOLS.run(Command.of("grub-fstest", boot.toString(), "cat", "/grub/grub.cfg")).stdout();
        assertTrue(grubCfg.contains("console=ttyAMA0,115200") && grubCfg.contains("sbc.test=1"), grubCfg);
        Map<Integer, byte[]> meta = TalosAdvReader.read(DiskImages.extract(disk, table, 3, tmp.resolve("meta.img")), 0);
        assertEquals(List.of(0x0a), new ArrayList<>(new TreeMap<>(meta).keySet()));
        assertEquals("board-meta", new String(meta.get(0x0a), StandardCharsets.UTF_8));

        Path uboot = DiskImages.fatFile(esp, "u-boot.bin", tmp.resolve("u-boot.bin"));
        assertArrayEquals(Files.readAllBytes(Path.of("/usr/lib/u-boot/qemu_arm64/u-boot.bin")), Files.readAllBytes(uboot),
                "Debian's U-Boot for QEMU's virt board, through the overlay");
        JsonNode report = Qemu.machine(Arch.ARM64).args("-m", "1024",
                        "-bios", uboot.toString(), "-drive", "if=none,id=disk,format=raw,file=" + disk,
                        "-device", "virtio-blk-device,drive=disk", "-net", "none")
                .timeout(Qemu.ARM64_TIMEOUT).serialLog(tmp.resolve("uboot.log")).run();
        String cmdline = report.get("cmdline").asText();
        assertTrue(cmdline.startsWith("BOOT_IMAGE=/A/vmlinuz talos.platform=metal console=ttyAMA0,115200 "), cmdline);
        assertTrue(cmdline.endsWith(" sbc.test=1"), cmdline);
        assertEquals("dummy", report.get("modules").get(0).asText(), report.toString());
        assertTrue(report.get("extensions").findValuesAsText("name").contains("dummy-module"), report.toString());
        assertEquals(0, report.get("errors").size(), report.toString());
        String serial = Files.readString(tmp.resolve("uboot.log"), StandardCharsets.ISO_8859_1);
        assertTrue(serial.contains("U-Boot 2023.01") && serial.contains("GNU GRUB"), "U-Boot → GRUB:\n" + serial);
    }

    private static byte[] read(Path file, long at, int length) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] bytes = new byte[length];
            raf.seek(at);
            raf.readFully(bytes);
            return bytes;
        }
    }
}
