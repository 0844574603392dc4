package dev.imagefactory.build.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.Arch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GRUB's arm64 EFI image for disk images. Debian's grub-efi-arm64-bin is an arm64-only package; scripts/fetch-grub-arm64
 * (part of issue 14, another branch) unpacks its modules into {@code /usr/lib/grub/arm64-efi}. Without them this test
 * fails, with the message of {@link GrubDiskBoot#efiImage}, never skips.
 */
@Tag("slow")
class GrubDiskBootArm64Test {

    @TempDir
    Path tmp;

    @Test
    void efiImageArm64IsAnAarch64PeNamingBootAsPrefix() throws Exception {
        Path first = tmp.resolve("a.efi");
        Path second = tmp.resolve("b.efi");
        GrubDiskBoot.efiImage(FsTestTrees.TOOLS, Arch.ARM64, first);
        GrubDiskBoot.efiImage(FsTestTrees.TOOLS, Arch.ARM64, second);
        assertEquals(0xAA64, GrubDiskBootTest.peMachine(first), "IMAGE_FILE_MACHINE_ARM64");
        byte[] bytes = Files.readAllBytes(first);
        assertTrue(GrubDiskBootTest.indexOf(bytes, "(hd0,gpt3)/grub".getBytes(StandardCharsets.US_ASCII)) > 0);
        assertArrayEquals(bytes, Files.readAllBytes(second));
    }
}
