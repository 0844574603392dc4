package dev.imagefactory.build.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.catalog.OverlayImage;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.schematic.Bootloader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profile fragment merge of talos-imager.md §1.7: only the bootloader and customization survive. */
class OverlayProfileTest {

    @TempDir
    Path tmp;

    private OverlayImage image(String name, String profile) throws IOException {
        Path root = tmp.resolve("overlay");
        Files.createDirectories(root.resolve("profiles"));
        if (profile != null) {
            Files.writeString(root.resolve("profiles").resolve((name.isEmpty() ? "default" : name) + ".yaml"), profile);
        }
        return new OverlayImage(name, root, "sha256:test");
    }

    @Test
    void rpiGenericLikeFragmentGivesGrubAndNothingElse() throws IOException {
        // the shape of sbc-raspberrypi's profiles/rpi_generic.yaml: everything but the bootloader is zeroed
        String fragment = """
                arch: arm64
                platform: metal
                secureboot: false
                output:
                  kind: image
                  outFormat: .xz
                  imageOptions:
                    diskSize: 1306525696
                    diskFormat: raw
                    bootloader: grub
                """;
        assertEquals(new OverlayProfile(Optional.of(Bootloader.GRUB), List.of()),
                OverlayProfile.of(image("rpi_generic", fragment)));
    }

    @Test
    void customizationKernelArgsAreKept() throws IOException {
        OverlayProfile profile = OverlayProfile.of(image("", """
                customization:
                  extraKernelArgs: [console=ttyS0, "sysctl.kernel.kexec_load_disabled=1"]
                """));
        assertEquals(new OverlayProfile(Optional.empty(), List.of("console=ttyS0", "sysctl.kernel.kexec_load_disabled=1")),
                profile);
    }

    @Test
    void noFragmentIsNoChange() throws IOException {
        assertEquals(OverlayProfile.NONE, OverlayProfile.of(image("board", null)));
        assertEquals(OverlayProfile.NONE, OverlayProfile.of(image("board", "")));
    }

    @Test
    void badFragmentsAre400s() throws IOException {
        for (String bad : List.of("output: {imageOptions: {bootloader: lilo}}", "output: [x]",
                "customization: {extraKernelArgs: x}", "a: [", "- x")) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> OverlayProfile.of(image("board", bad)), bad);
            assertTrue(e.getMessage().startsWith("overlay \"board\" profile profiles/board.yaml"), e.getMessage());
        }
    }
}
