package dev.imagefactory.build.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.StandinRelease;
import dev.imagefactory.build.installer.OverlayLayer;
import dev.imagefactory.catalog.DirectoryReleaseSource;
import dev.imagefactory.catalog.OfficialOverlay;
import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.catalog.ReleaseCache;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.model.Arch;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.schematic.Bootloader;
import dev.imagefactory.tools.ProcessRunner;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stand-in release's standin-board installer (scripts/build-standin-release), taken from the release the way a
 * build takes it (the overlay image flattened by the catalog for the build host's architecture), run through
 * {@link OverlayInstaller}: its get-options answer, what install writes into a disk file and a mount prefix, and
 * that the options reach install byte-for-byte.
 */
@Tag("slow")
class StandinOverlayInstallerTest {

    private static final ProcessRunner RUNNER = new ProcessRunner(Duration.ofSeconds(60));
    private static final int BLOCK_AT = 8192;

    @TempDir
    Path tmp;

    private OverlayImage host;
    private OverlayImage target;

    @BeforeEach
    void flatten() {
        DirectoryReleaseSource source = new DirectoryReleaseSource(StandinRelease.ensure(), new ReleaseCache(tmp.resolve("cache")));
        TalosVersion version = TalosVersion.parse(StandinRelease.V1_11);
        OfficialOverlay official = source.overlays(version).orElseThrow().get(0);
        host = source.overlayImage(version, official, OverlayInstaller.hostArch());
        target = source.overlayImage(version, official, Arch.ARM64);
    }

    private Path work() {
        return tmp.resolve("work");
    }

    @Test
    void getOptionsGivesTheBoardsConsoleAndOffset() {
        assertEquals(new OverlayInstaller.Options("standin-board", List.of("console=ttyAMA0,115200"), 2048),
                new OverlayInstaller(RUNNER, host, work()).getOptions("{}\n".getBytes()));
    }

    @Test
    void installWritesTheFirmwareTheOptionsAndTheReservedBlockOnly() throws IOException {
        Map<Object, Object> options = new LinkedHashMap<>();
        options.put("configTxtAppend", "dtoverlay=vc4-kms-v3d\nenable_uart=1");
        options.put("revision", BigInteger.valueOf(3));   // as the schematic decoder gives numbers
        options.put("list", List.of("a", "yes", Map.of("k", "v")));
        byte[] optionsYaml = OverlayLayer.extraOptions(options);

        Path disk = tmp.resolve("disk.raw");
        byte[] before = new byte[64 * 1024];
        Arrays.fill(before, (byte) 0xA5);
        Files.write(disk, before);
        Path mount = tmp.resolve("mnt");
        Files.createDirectories(mount);

        OverlayInstaller installer = new OverlayInstaller(RUNNER, host, work());
        assertEquals(2048, installer.getOptions(options).partitionOffsetLbas());
        installer.install(disk, mount, host.artifacts(), options);

        Path efi = OverlayInstaller.efiOutput(mount);
        assertEquals(mount.resolve("boot/EFI"), efi);
        try (Stream<Path> files = Files.list(efi)) {
            assertEquals(List.of("standin-board-firmware.bin", "standin-board-options.yaml", "u-boot.bin"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        byte[] uboot = Files.readAllBytes(efi.resolve("u-boot.bin"));
        assertArrayEquals(Files.readAllBytes(host.artifacts().resolve("arm64/u-boot/standin-board/u-boot.bin")), uboot);
        assertTrue(new String(uboot, StandardCharsets.ISO_8859_1).contains("U-Boot 2023.01"), "Debian's U-Boot");
        assertEquals("STANDIN BOOT FIRMWARE arm64\n", Files.readString(efi.resolve("standin-board-firmware.bin")));
        assertArrayEquals(optionsYaml, Files.readAllBytes(efi.resolve("standin-board-options.yaml")),
                "the options as install received them, byte for byte: " + new String(optionsYaml));

        byte[] after = Files.readAllBytes(disk);
        assertEquals(before.length, after.length, "the disk keeps its size");
        byte[] block = Arrays.copyOfRange(after, BLOCK_AT, BLOCK_AT + 512);
        String text = "STANDIN-BOARD BOOT0 arm64 (Image Factory stand-in, not firmware)\n";
        assertEquals(text, new String(block, 0, text.length(), StandardCharsets.US_ASCII));
        for (int i = text.length(); i < 512; i++) {
            assertEquals(0, block[i], "padding at " + i);
        }
        for (int i = 0; i < after.length; i++) {
            if (i < BLOCK_AT || i >= BLOCK_AT + 512) {
                assertEquals(before[i], after[i], "byte " + i + " outside the reserved block changed");
            }
        }
        try (Stream<Path> left = Files.list(work())) {
            assertEquals(List.of(), left.toList(), "no scratch left");
        }
    }

    @Test
    void noOptionsAreEchoedAsAnEmptyMapping() throws IOException {
        Path disk = Files.write(tmp.resolve("disk.raw"), new byte[16384]);
        Path mount = tmp.resolve("mnt");
        new OverlayInstaller(RUNNER, host, work()).install(disk, mount, host.artifacts(), Map.of());
        assertEquals("{}\n", Files.readString(mount.resolve("boot/EFI/standin-board-options.yaml")));
    }

    @Test
    void installIntoAMissingDiskIsA400WithTheInstallersReason() throws IOException {
        Path missing = tmp.resolve("no-such-disk");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new OverlayInstaller(RUNNER, host,
                work()).install(missing, tmp.resolve("mnt"), host.artifacts(), Map.of()));
        assertEquals("overlay installer \"standin-board\" install failed with exit code 1: standin-board: installDisk " + missing
                + " is neither a file nor a block device", e.getMessage());
        try (Stream<Path> left = Files.list(work())) {
            assertEquals(List.of(), left.toList(), "no scratch left");
        }
    }

    @Test
    void theTargetArchProfileSelectsGrub() {
        assertEquals(new OverlayProfile(Optional.of(Bootloader.GRUB), List.of()), OverlayProfile.of(target));
    }
}
