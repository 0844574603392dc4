package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.build.uki.PeFile;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * arm64 boot assets built from the stand-in release's arm64 files (nothing boots: QEMU here is x86 only). The
 * assets must carry arm64 code throughout: the served kernel, the base initramfs's busybox, the extension's
 * dummy.ko, the modules.dep layer of the arm64 kernel release, and a UKI made from the AArch64 stub.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class Arm64AssetsTest {

    static final String SCHEMATIC = """
            customization:
              systemExtensions:
                officialExtensions: [standin/dummy-module]
            """;
    /** ELF e_machine of AArch64 (EM_AARCH64). */
    static final int EM_AARCH64 = 183;
    /** PE/COFF machine of AArch64 (IMAGE_FILE_MACHINE_ARM64). */
    static final int PE_ARM64 = 0xaa64;

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path tmp;

    @Test
    void kernelAndInitramfsCarryArm64Code() throws Exception {
        String version = StandinRelease.V1_11;
        Path arm64 = StandinRelease.version(version).resolve("usr/install/arm64");
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        String base = "/image/" + id + "/" + version + "/";

        byte[] kernel = given().get(base + "kernel-arm64").then().statusCode(200).extract().asByteArray();
        assertArrayEquals(Files.readAllBytes(arm64.resolve("vmlinuz")), kernel, "the release's arm64 kernel");
        assertEquals("ARM\u0064", new String(kernel, 0x38, 4, java.nio.charset.StandardCharsets.US_ASCII),
                "arm64 Image header magic");
        assertEquals(PE_ARM64, PeFile.read(arm64.resolve("vmlinuz")).machine(), "the Image is an AArch64 EFI app");

        byte[] all = given().get(base + "initramfs-arm64.xz").then().statusCode(200).extract().asByteArray();
        byte[] baseInitramfs = Files.readAllBytes(arm64.resolve("initramfs.xz"));
        assertArrayEquals(baseInitramfs, Arrays.copyOf(all, baseInitramfs.length),
                "no microcode segment: the arm64 base initramfs comes first");

        Path baseDir = unpackZstdCpio(baseInitramfs, "base");
        assertEquals(EM_AARCH64, elfMachine(baseDir.resolve("bin/busybox")), "arm64 busybox in the base initramfs");

        Path extensions = unpackZstdCpio(Arrays.copyOfRange(all, baseInitramfs.length, all.length), "extensions");
        Path module = unsquash(extensions.resolve("0.sqsh"), "dummy-module");
        String kver = StandinRelease.kernelRelease(version, "arm64");
        assertEquals(EM_AARCH64, elfMachine(module.resolve("usr/lib/modules/" + kver + "/extras/dummy.ko")),
                "the extension's arm64 image (its dummy.ko) went in");
        Path deps = unsquash(extensions.resolve("modules.dep.sqsh"), "modules.dep");
        assertTrue(Files.readString(deps.resolve("usr/lib/modules/" + kver + "/modules.dep")).contains("extras/dummy.ko:"),
                "depmod ran over the arm64 kernel release");
    }

    @Test
    void ukiIsBuiltFromTheAarch64StubAroundTheServedKernel() throws Exception {
        String version = StandinRelease.V1_12;
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        String base = "/image/" + id + "/" + version + "/";
        byte[] kernel = given().get(base + "kernel-arm64").then().statusCode(200).extract().asByteArray();
        byte[] initramfs = given().get(base + "initramfs-arm64.xz").then().statusCode(200).extract().asByteArray();
        Path uki = Files.write(tmp.resolve("metal-arm64-uki.efi"),
                given().get(base + "metal-arm64-uki.efi").then().statusCode(200).extract().asByteArray());

        PeFile pe = PeFile.read(uki);
        assertEquals(PE_ARM64, pe.machine());
        assertArrayEquals(kernel, pe.data(pe.section(".linux").orElseThrow()).readAllBytes(), ".linux is the kernel");
        assertArrayEquals(initramfs, pe.data(pe.section(".initrd").orElseThrow()).readAllBytes(),
                ".initrd is the served initramfs");
        assertTrue(pe.section(".uname").isEmpty(), "no .uname: an arm64 Image has no bzImage version string");
        List<String> names = pe.sections().stream().map(PeFile.SectionHeader::name).toList();
        assertEquals(List.of(".osrel", ".cmdline", ".linux", ".initrd", ".profile"),
                names.subList(names.indexOf(".osrel"), names.size()), names.toString());
    }

    private Path unpackZstdCpio(byte[] compressed, String name) throws Exception {
        Path file = Files.write(tmp.resolve(name + ".zst"), compressed);
        Path cpio = tmp.resolve(name + ".cpio");
        tools.run(Command.of("zstd", "-d", "-c", "--quiet").stdinFrom(file).stdoutTo(cpio));
        Path dir = Files.createDirectories(tmp.resolve(name));
        tools.run(Command.of("cpio", "-i", "-d", "--quiet").in(dir).stdinFrom(cpio));
        return dir;
    }

    private Path unsquash(Path squashfs, String name) {
        Path dir = tmp.resolve(name + "-tree");
        tools.run(Command.of("unsquashfs", "-no-xattrs", "-d", dir.toString(), squashfs.toString()));
        return dir;
    }

    /** e_machine of an ELF file (little-endian, as both Debian architectures are). */
    static int elfMachine(Path file) throws Exception {
        byte[] header = Arrays.copyOf(Files.readAllBytes(file), 20);
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, Arrays.copyOf(header, 4), file + " is ELF");
        return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getShort(18) & 0xffff;
    }
}
