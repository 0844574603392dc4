package dev.imagefactory.build;

import dev.imagefactory.model.DiskFormat;
import dev.imagefactory.model.OutputCompression;
import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.Platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.build.AssetPath.DiskOutput;
import dev.imagefactory.build.AssetPath.Sidecar;
import dev.imagefactory.model.Arch;
import dev.imagefactory.errors.InvalidInputException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AssetPathTest {

    /** path | kind | platform | arch | secureboot | disk format | compression | content type */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "kernel-amd64                      | KERNEL    | metal         | amd64 | false | -     | -       | application/octet-stream",
        "kernel-x86_64                     | KERNEL    | metal         | amd64 | false | -     | -       | application/octet-stream",
        "kernel-arm64                      | KERNEL    | metal         | arm64 | false | -     | -       | application/octet-stream",
        "cmdline-metal-amd64               | CMDLINE   | metal         | amd64 | false | -     | -       | application/octet-stream",
        "cmdline-aws-arm64-secureboot      | CMDLINE   | aws           | arm64 | true  | -     | -       | application/octet-stream",
        "cmdline-digital-ocean-amd64       | CMDLINE   | digital-ocean | amd64 | false | -     | -       | application/octet-stream",
        "initramfs-arm64.xz                | INITRAMFS | metal         | arm64 | false | -     | -       | application/x-xz",
        "initramfs-i386.xz                 | INITRAMFS | metal         | amd64 | false | -     | -       | application/x-xz",
        "metal-amd64.iso                   | ISO       | metal         | amd64 | false | -     | -       | application/x-iso9660-image",
        "metal-arm64-secureboot.iso        | ISO       | metal         | arm64 | true  | -     | -       | application/x-iso9660-image",
        "equinixMetal-amd64.iso            | ISO       | equinixMetal  | amd64 | false | -     | -       | application/x-iso9660-image",
        "packet-arm64.iso                  | ISO       | packet        | arm64 | false | -     | -       | application/x-iso9660-image",
        "metal-amd64-secureboot-uki.efi    | UKI       | metal         | amd64 | true  | -     | -       | application/efi",
        "nocloud-amd64-uki.efi             | UKI       | nocloud       | amd64 | false | -     | -       | application/efi",
        "installer-amd64-secureboot.tar    | INSTALLER | metal         | amd64 | true  | -     | -       | application/x-tar",
        "installer-arm64.tar               | INSTALLER | metal         | arm64 | false | -     | -       | application/x-tar",
        "aws-installer-arm64.tar           | INSTALLER | aws           | arm64 | false | -     | -       | application/x-tar",
        "metal-installer-amd64-secureboot.tar | INSTALLER | metal      | amd64 | true  | -     | -       | application/x-tar",
        "digital-ocean-installer-amd64.tar | INSTALLER | digital-ocean | amd64 | false | -     | -       | application/x-tar",
        "metal-amd64.raw.xz                | IMAGE     | metal         | amd64 | false | RAW   | XZ      | application/x-xz",
        "metal-amd64.raw.zst               | IMAGE     | metal         | amd64 | false | RAW   | ZSTD    | application/zstd",
        "metal-amd64-secureboot.raw.xz     | IMAGE     | metal         | amd64 | true  | RAW   | XZ      | application/x-xz",
        "aws-amd64.raw.xz                  | IMAGE     | aws           | amd64 | false | RAW   | XZ      | application/x-xz",
        "gcp-amd64.raw.tar.gz              | IMAGE     | gcp           | amd64 | false | RAW   | TAR_GZ  | application/gzip",
        "digital-ocean-arm64.raw.gz        | IMAGE     | digital-ocean | arm64 | false | RAW   | GZ      | application/gzip",
        "azure-amd64.vhd.xz                | IMAGE     | azure         | amd64 | false | VHD   | XZ      | application/x-xz",
        "azure-amd64.vhd                   | IMAGE     | azure         | amd64 | false | VHD   | NONE    | application/octet-stream",
        "vmware-amd64.ova                  | IMAGE     | vmware        | amd64 | false | OVA   | NONE    | application/octet-stream",
        "openstack-amd64.qcow2             | IMAGE     | openstack     | amd64 | false | QCOW2 | NONE    | application/x-qemu-disk",
        "metal-amd64.raw                   | IMAGE     | metal         | amd64 | false | RAW   | NONE    | application/octet-stream",
        "metal-x86_64.qcow2.zst            | IMAGE     | metal         | amd64 | false | QCOW2 | ZSTD    | application/zstd",
    })
    void grammar(String path, OutputKind kind, String platform, String arch, boolean secureBoot, DiskFormat format,
            OutputCompression compression, String contentType) {
        AssetPath p = AssetPath.parse(path);
        assertEquals(path, p.filename());
        assertEquals(path, p.requestedPath());
        assertEquals(Optional.empty(), p.sidecar());
        assertEquals(kind, p.kind());
        assertEquals(Platform.parse(platform), p.platform());
        assertEquals(Arch.parse(arch), p.arch());
        assertEquals(secureBoot, p.secureBoot());
        assertEquals(format == null ? Optional.empty() : Optional.of(new DiskOutput(format, compression)), p.disk());
        assertEquals(contentType, p.contentType());
    }

    @Test
    void sidecarSuffixesAreStrippedFirst() {
        AssetPath p = AssetPath.parse("metal-amd64.iso.sha256");
        assertEquals("metal-amd64.iso", p.filename());
        assertEquals(Optional.of(Sidecar.SHA256), p.sidecar());
        assertEquals("SHA-256", p.sidecar().get().digestAlgorithm());
        assertEquals("metal-amd64.iso.sha256", p.requestedPath());
        assertEquals("application/x-iso9660-image", p.contentType());
        assertEquals(OutputKind.ISO, p.kind());

        AssetPath k = AssetPath.parse("kernel-amd64.sha512");
        assertEquals(Optional.of(Sidecar.SHA512), k.sidecar());
        assertEquals(Arch.AMD64, k.arch());

        AssetPath s = AssetPath.parse("metal-amd64.raw.xz.sigstore.json");
        assertEquals(Optional.of(Sidecar.SIGSTORE_BUNDLE), s.sidecar());
        assertEquals(false, s.sidecar().get().isChecksum());
        assertEquals("metal-amd64.raw.xz", s.filename());

        // only one suffix is stripped
        assertEquals("error parsing profile from path: invalid profile path: \"metal-amd64.iso.sha256\"", refusal("metal-amd64.iso.sha256.sha256"));
    }

    /** path | message */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // the reference's texts and prefix (its download_test.go "invalid/profile"); the path is quoted without its
        // compression suffix, as the reference's ParseFromPath quotes it
        // grammar
        "metal-amd64                     | error parsing profile from path: invalid profile path: \"metal-amd64\"",
        "metal-amd64.xz                  | error parsing profile from path: invalid profile path: \"metal-amd64\"",
        "metal-amd64.tar.gz              | error parsing profile from path: invalid profile path: \"metal-amd64\"",
        "metal-amd64.img                 | error parsing profile from path: invalid profile path: \"metal-amd64.img\"",
        "metal-amd64.raw.gz.xz           | error parsing profile from path: invalid profile path: \"metal-amd64.raw.gz\"",
        "initramfs-amd64                 | error parsing profile from path: invalid profile path: \"initramfs-amd64\"",
        "initramfs-amd64.zst             | error parsing profile from path: invalid profile path: \"initramfs-amd64\"",
        "installer-amd64.tar.gz          | error parsing profile from path: invalid profile path: \"installer-amd64\"",
        "metal.iso                       | error parsing profile from path: invalid platform-arch: \"metal\"",
        "metal-secureboot.iso            | error parsing profile from path: invalid platform-arch: \"metal\"",
        "cmdline-metal                   | error parsing profile from path: invalid platform-arch: \"metal\"",
        ".raw                            | error parsing profile from path: invalid platform-arch: \"\"",
        // architectures
        "kernel-amd64-secureboot         | error parsing profile from path: invalid architecture: \"amd64-secureboot\"",
        "kernel-                         | error parsing profile from path: invalid architecture: \"\"",
        "kernel-AMD64                    | error parsing profile from path: invalid architecture: \"AMD64\"",
        "kernel-amd64.efi                | error parsing profile from path: invalid architecture: \"amd64.efi\"",
        "initramfs-riscv64.xz            | error parsing profile from path: invalid architecture: \"riscv64\"",
        "metal-riscv64.iso               | error parsing profile from path: invalid architecture: \"riscv64\"",
        "metal-amd64-uki.iso             | error parsing profile from path: invalid architecture: \"amd64-uki\"",
        "metal-amd64-secureboot-secureboot.iso | error parsing profile from path: invalid architecture: \"amd64-secureboot\"",
        "installer-secureboot.tar        | error parsing profile from path: invalid architecture: \"secureboot\"",
        "cmdline-digital-ocean           | error parsing profile from path: invalid architecture: \"ocean\"",
        "foo-bar.iso                     | error parsing profile from path: invalid architecture: \"bar\"",
        // platforms: upstream accepts these here and fails in the imager (500); we refuse them (400)
        "foo-amd64.iso                   | error parsing profile from path: unknown platform \"foo\"",
        "installer-amd64.iso             | error parsing profile from path: unknown platform \"installer\"",
        "initramfs-amd64.raw             | error parsing profile from path: unknown platform \"initramfs\"",
        "Metal-amd64.raw.xz              | error parsing profile from path: unknown platform \"Metal\"",
        "iso-amd64.raw                   | error parsing profile from path: unknown platform \"iso\"",
    })
    void refusals(String path, String message) {
        assertEquals(message, refusal(path));
    }

    @Test
    void refusalsAreOneLineAndShort() {
        assertEquals("error parsing profile from path: invalid architecture: \"amd64?x\"", refusal("kernel-amd64\nx"));
        assertEquals("error parsing profile from path: invalid profile path: \"\"", refusal(""));
        assertEquals("error parsing profile from path: invalid profile path: \"\"", refusal(null));
        String message = refusal("x".repeat(300));
        // the reference's 33-character prefix, then at most 80 characters of the path
        assertTrue(message.length() < 160, message);
        assertTrue(refusal("metal-" + "y".repeat(200) + ".iso").length() < 160);
    }

    @Test
    void pxePaths() {
        AssetPath p = AssetPath.parsePxe("metal-x86_64");
        assertEquals("cmdline-metal-x86_64", p.filename());
        assertEquals(OutputKind.CMDLINE, p.kind());
        assertEquals(Platform.METAL, p.platform());
        assertEquals(Arch.AMD64, p.arch());
        assertEquals(false, p.secureBoot());

        AssetPath sb = AssetPath.parsePxe("metal-amd64-secureboot");
        assertEquals(true, sb.secureBoot());
        assertEquals(Arch.AMD64, sb.arch());

        AssetPath eq = AssetPath.parsePxe("equinixMetal-arm64");
        assertEquals(Platform.EQUINIX_METAL, eq.platform());
        assertEquals("equinixMetal", eq.platform().pathName());
        assertEquals(Platform.DIGITAL_OCEAN, AssetPath.parsePxe("digital-ocean-amd64").platform());

        assertEquals("error parsing profile from path: invalid architecture: \"amd64.iso\"",
                assertThrows(InvalidInputException.class, () -> AssetPath.parsePxe("metal-amd64.iso")).getMessage());
        assertEquals("error parsing profile from path: invalid platform-arch: \"metal\"",
                assertThrows(InvalidInputException.class, () -> AssetPath.parsePxe("metal")).getMessage());
        assertEquals("error parsing profile from path: unknown platform \"foo\"",
                assertThrows(InvalidInputException.class, () -> AssetPath.parsePxe("foo-amd64")).getMessage());
    }

    @Test
    void diskGoesWithImagesOnly() {
        assertThrows(IllegalArgumentException.class, () -> new AssetPath("x", Optional.empty(), OutputKind.ISO,
                Platform.METAL, Arch.AMD64, false, Optional.of(new DiskOutput(DiskFormat.RAW, OutputCompression.NONE))));
        assertThrows(IllegalArgumentException.class, () -> new AssetPath("x", Optional.empty(), OutputKind.IMAGE,
                Platform.METAL, Arch.AMD64, false, Optional.empty()));
    }

    @Test
    void installerPathsBuiltFromPartsEqualTheParsedOnes() {
        for (Platform platform : Platform.values()) {
            for (Arch arch : Arch.values()) {
                for (boolean secureBoot : new boolean[] {false, true}) {
                    String named = platform.pathName() + "-installer-" + arch.goName() + (secureBoot ? "-secureboot" : "")
                            + ".tar";
                    assertEquals(AssetPath.parse(named), AssetPath.installer(platform, arch, secureBoot, true));
                }
            }
        }
        assertEquals(AssetPath.parse("installer-arm64-secureboot.tar"),
                AssetPath.installer(Platform.METAL, Arch.ARM64, true, false));
        assertThrows(IllegalArgumentException.class,
                () -> AssetPath.installer(Platform.parse("aws"), Arch.AMD64, false, false));
    }

    private static String refusal(String path) {
        return assertThrows(InvalidInputException.class, () -> AssetPath.parse(path)).getMessage();
    }
}
