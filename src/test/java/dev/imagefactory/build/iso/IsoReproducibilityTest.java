package dev.imagefactory.build.iso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.StandinRelease;
import dev.imagefactory.model.Quirks;
import dev.imagefactory.build.uki.UkiBuilder;
import dev.imagefactory.build.uki.UkiInputs;
import dev.imagefactory.build.uki.UkiProfile;
import dev.imagefactory.model.Arch;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.tools.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Tag;

/**
 * Every ISO layout built twice from scratch, in separate work directories and more than a second apart (mformat
 * seeds its serial number from the clock), gives the same bytes.
 */
@Tag("slow")
class IsoReproducibilityTest {

    static final String VERSION = StandinRelease.V1_12;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(IsoLayout.class)
    void twoBuildsFromScratchAreByteIdentical(IsoLayout layout) throws Exception {
        IsoInputs inputs = inputs(tmp, VERSION, "talos.platform=metal console=ttyS0 talos.halt_if_installed=1");
        IsoBuilder builder = new IsoBuilder(new IsoTools(new ProcessRunner(Duration.ofMinutes(5))));
        long started = System.nanoTime();
        Path first = builder.build(layout, inputs, tmp.resolve("first"));
        long millis = (System.nanoTime() - started) / 1_000_000;
        Thread.sleep(Math.max(0, 1100 - millis));
        Path second = builder.build(layout, inputs, tmp.resolve("second"));
        System.out.printf("%s ISO: %d bytes, built in %d ms%n", layout, Files.size(first), millis);
        assertTrue(Files.size(first) > 1024 * 1024, "an ISO of some size");
        assertEquals(sha256(first), sha256(second), layout + " ISO built twice");
    }

    /** Inputs from the stand-in release: its kernel and base initramfs, and a UKI with the ISO's reset profile. */
    static IsoInputs inputs(Path tmp, String version, String cmdline) throws Exception {
        Path release = StandinRelease.version(version).resolve("usr/install/amd64");
        Quirks quirks = Quirks.of(TalosVersion.parse(version));
        Path uki = tmp.resolve("uki-" + version + ".efi");
        if (!Files.exists(uki)) {
            new UkiBuilder().build(UkiInputs.of(release.resolve("systemd-stub.efi"), release.resolve("vmlinuz"),
                    release.resolve("initramfs.xz"), cmdline, version, quirks)
                    .withExtraProfiles(List.of(UkiProfile.isoReset(cmdline))), uki);
        }
        return IsoInputs.grub(version, quirks, Arch.AMD64, release.resolve("vmlinuz"), release.resolve("initramfs.xz"),
                cmdline).withUefi(release.resolve("systemd-boot.efi"), uki);
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
