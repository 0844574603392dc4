package dev.imagefactory.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefactory.model.Arch;
import dev.imagefactory.catalog.BootFile;
import dev.imagefactory.catalog.DirectoryReleaseSource;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.errors.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A release without an architecture's boot files answers 404 naming the missing file (the stand-in has both). */
class ReleaseFilesTest {

    @Test
    void aMissingBootFileIsNotFoundNamingFileAndArchitecture(@TempDir Path root) throws Exception {
        Path amd64 = Files.createDirectories(root.resolve("v1.11.0/usr/install/amd64"));
        Files.writeString(amd64.resolve("vmlinuz"), "kernel");
        ReleaseFiles files = new ReleaseFiles(new DirectoryReleaseSource(root));
        TalosVersion version = TalosVersion.parse("v1.11.0");

        assertEquals(amd64.resolve("vmlinuz"), files.require(version, Arch.AMD64, BootFile.KERNEL).path());
        NotFoundException missing = assertThrows(NotFoundException.class,
                () -> files.require(version, Arch.ARM64, BootFile.KERNEL));
        assertEquals("Talos " + version + " has no vmlinuz for arm64", missing.getMessage());
        assertThrows(NotFoundException.class, () -> files.require(version, Arch.AMD64, BootFile.INITRAMFS));
    }
}
