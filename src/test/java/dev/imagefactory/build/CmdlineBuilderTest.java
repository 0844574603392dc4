package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;
import dev.imagefactory.model.Platform;
import dev.imagefactory.model.Quirks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.Arch;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.schematic.Bootloader;
import dev.imagefactory.schematic.Schematic;
import dev.imagefactory.schematic.Schematic.MetaValue;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CmdlineBuilderTest {

    private static final String IMA = " ima_template=ima-ng ima_appraise=fix ima_hash=sha512";

    /**
     * Talos {@code pkg/imager/imager_test.go} (cmdline output, every row) and image-factory integration tests
     * ({@code download_test.go}, {@code pxe_test.go}): exact expected strings.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "metal | amd64 | 1.7.0  | talos.platform=metal console=ttyS0 console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512",
        "metal | arm64 | 1.7.0  | talos.platform=metal console=ttyAMA0 console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512",
        "metal | amd64 | 1.8.0  | talos.platform=metal console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512",
        "metal | arm64 | 1.8.0  | talos.platform=metal console=ttyAMA0 console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512",
        "metal | amd64 | 1.10.1 | talos.platform=metal console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512 selinux=1",
        "metal | arm64 | 1.10.1 | talos.platform=metal console=ttyAMA0 console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512 selinux=1",
        "metal | amd64 | 1.11.0 | talos.platform=metal console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1",
        "metal | arm64 | 1.11.0 | talos.platform=metal console=ttyAMA0 console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1",
        "metal | amd64 | 1.13.0 | talos.platform=metal console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1 module.sig_enforce=1 proc_mem.force_override=never",
        "metal | arm64 | 1.13.0 | talos.platform=metal console=ttyAMA0 console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1 module.sig_enforce=1 proc_mem.force_override=never",
        "aws   | amd64 | 1.13.0 | talos.platform=aws console=tty1 console=ttyS0 net.ifnames=0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1 module.sig_enforce=1 proc_mem.force_override=never",
        "aws   | arm64 | 1.13.0 | talos.platform=aws console=tty1 console=ttyS0 net.ifnames=0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1 module.sig_enforce=1 proc_mem.force_override=never",
        "metal | amd64 | 1.14.0 | talos.platform=metal console=tty0 slab_nomerge pti=on consoleblank=0 printk.devkmsg=on selinux=1 module.sig_enforce=1 proc_mem.force_override=never",
        "metal | arm64 | 1.14.0 | talos.platform=metal console=ttyAMA0 console=tty0 slab_nomerge pti=on consoleblank=0 printk.devkmsg=on selinux=1 module.sig_enforce=1 proc_mem.force_override=never",
        "aws   | amd64 | 1.14.0 | talos.platform=aws console=tty1 console=ttyS0 net.ifnames=0 nvme_core.io_timeout=4294967295 slab_nomerge pti=on consoleblank=0 printk.devkmsg=on selinux=1 module.sig_enforce=1 proc_mem.force_override=never",
        "aws   | arm64 | 1.14.0 | talos.platform=aws console=tty1 console=ttyS0 net.ifnames=0 nvme_core.io_timeout=4294967295 slab_nomerge pti=on consoleblank=0 printk.devkmsg=on selinux=1 module.sig_enforce=1 proc_mem.force_override=never",
        "nocloud | amd64 | 1.9.0 | talos.platform=nocloud console=tty1 console=ttyS0 net.ifnames=0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512",
        "nocloud | amd64 | 1.10.0 | talos.platform=nocloud console=tty1 console=ttyS0 net.ifnames=0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512 selinux=1",
        "equinixMetal | amd64 | 1.5.0 | talos.platform=equinixMetal console=ttyS1,115200n8 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512",
        "packet | amd64 | 1.5.0 | talos.platform=equinixMetal console=ttyS1,115200n8 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512",
    })
    void verifiedUpstreamStrings(String platform, String arch, String version, String expected) {
        assertEquals(expected, cmdline(platform, arch, version, OutputKind.CMDLINE).render());
    }

    @Test
    void pxeSecureBootAddsLockdownForOlderVersions() {
        // image-factory pxe_test.go, "secureboot" (v1.5.0-era defaults)
        assertEquals("talos.platform=metal console=ttyS0 console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0"
                        + " nvme_core.io_timeout=4294967295 printk.devkmsg=on" + IMA + " lockdown=confidentiality",
                cmdline("metal", "amd64", "1.5.0", OutputKind.CMDLINE).withSecureBoot(true).render());
    }

    @Test
    void secureBootFrom114AddsNothing() {
        // HEAD behaviour (the reference factory's pinned rc.1 would still add lockdown=confidentiality)
        assertEquals(cmdline("metal", "amd64", "1.14.0", OutputKind.CMDLINE).render(),
                cmdline("metal", "amd64", "1.14.0", OutputKind.CMDLINE).withSecureBoot(true).render());
        assertTrue(cmdline("metal", "amd64", "1.13.9", OutputKind.UKI).withSecureBoot(true).render()
                .endsWith(" proc_mem.force_override=never lockdown=confidentiality"));
    }

    /** The kernel cuts a command line at COMMAND_LINE_SIZE (2048 with its NUL): 2047 bytes pass, 2048 are refused. */
    @Test
    void aCommandLineOverTheKernelsLimitIsRefusedNamingIt() {
        for (String arch : List.of("amd64", "arm64")) {
            CmdlineBuilder base = cmdline("metal", arch, "1.10.1", OutputKind.CMDLINE);
            int room = 2047 - base.render().length() - " talos.longarg=".length();
            String fits = base.withExtraKernelArgs(List.of("talos.longarg=" + "x".repeat(room))).render();
            assertEquals(2047, fits.length());
            dev.imagefactory.errors.InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.imagefactory.errors.InvalidInputException.class,
                    () -> base.withExtraKernelArgs(List.of("talos.longarg=" + "x".repeat(room + 1))).render());
            assertEquals("the kernel command line for metal-" + arch + " would be 2048 bytes; the " + arch
                    + " kernel takes at most 2047 (COMMAND_LINE_SIZE 2048): shorten customization.extraKernelArgs",
                    e.getMessage());
        }
    }

    @Test
    void extraKernelArgsAreAppended() {
        assertEquals("talos.platform=metal console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0"
                        + " nvme_core.io_timeout=4294967295 printk.devkmsg=on" + IMA + " selinux=1 nolapic nomodeset",
                cmdline("metal", "amd64", "1.10.1", OutputKind.CMDLINE)
                        .withExtraKernelArgs(List.of("nolapic", "nomodeset")).render());
    }

    @Test
    void removedConsoleIsAddedBackAtTheEnd() {
        assertEquals("talos.platform=metal init_on_alloc=1 slab_nomerge pti=on consoleblank=0"
                        + " nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1 module.sig_enforce=1"
                        + " proc_mem.force_override=never console=ttyS1,115200",
                cmdline("metal", "amd64", "1.13.0", OutputKind.CMDLINE)
                        .withExtraKernelArgs(List.of("-console", "console=ttyS1,115200")).render());
    }

    @Test
    void userConsoleReplacesPlatformConsoleInPlace() {
        assertEquals("talos.platform=aws console=ttyS1,115200 net.ifnames=0 nvme_core.io_timeout=4294967295"
                        + " slab_nomerge pti=on consoleblank=0 printk.devkmsg=on selinux=1 module.sig_enforce=1"
                        + " proc_mem.force_override=never",
                cmdline("aws", "amd64", "1.14.0", OutputKind.CMDLINE)
                        .withExtraKernelArgs(List.of("console=ttyS1,115200")).render());
    }

    @Test
    void userTalosPlatformReplacesThePlatformName() {
        assertEquals("talos.platform=nocloud console=tty0 slab_nomerge pti=on consoleblank=0 printk.devkmsg=on"
                        + " selinux=1 module.sig_enforce=1 proc_mem.force_override=never",
                cmdline("metal", "amd64", "1.14.0", OutputKind.CMDLINE)
                        .withExtraKernelArgs(List.of("talos.platform=nocloud")).render());
    }

    @Test
    void aDefaultCanBeRemoved() {
        assertEquals("talos.platform=metal console=tty0 slab_nomerge consoleblank=0 printk.devkmsg=on selinux=1"
                        + " module.sig_enforce=1 proc_mem.force_override=never",
                cmdline("metal", "amd64", "1.14.0", OutputKind.CMDLINE).withExtraKernelArgs(List.of("-pti")).render());
        assertEquals("talos.platform=metal console=tty0 slab_nomerge pti=on consoleblank=0 printk.devkmsg=on"
                        + " module.sig_enforce=1 proc_mem.force_override=never",
                cmdline("metal", "amd64", "1.14.0", OutputKind.CMDLINE)
                        .withExtraKernelArgs(List.of("-selinux=1")).render());
    }

    @Test
    void otherDefaultsCannotBeOverriddenOnlyAppendedTo() {
        // pti is not in the overwrite set: a user value joins the default one
        assertTrue(cmdline("metal", "amd64", "1.14.0", OutputKind.CMDLINE)
                .withExtraKernelArgs(List.of("pti=off")).render().contains(" pti=on pti=off "));
    }

    @Test
    void dashboardDisabledIsJustAppended() {
        assertEquals("talos.platform=metal console=tty0 slab_nomerge pti=on consoleblank=0 printk.devkmsg=on"
                        + " selinux=1 module.sig_enforce=1 proc_mem.force_override=never talos.dashboard.disabled=1",
                cmdline("metal", "amd64", "1.14.0", OutputKind.CMDLINE)
                        .withExtraKernelArgs(List.of("talos.dashboard.disabled=1")).render());
        // ... and merges with a platform's own value
        assertTrue(cmdline("gcp", "amd64", "1.14.0", OutputKind.CMDLINE)
                .withExtraKernelArgs(List.of("talos.dashboard.disabled=1")).render()
                .startsWith("talos.platform=gcp console=ttyS0 net.ifnames=0 talos.dashboard.disabled=1"
                        + " talos.dashboard.disabled=1 sysctl.kernel.kexec_load_disabled=1 "));
    }

    @Test
    void metaExampleFromThePxeReference() {
        String meta = MetaEncoding.encode(List.of(new MetaValue(10, "{\"externalIPs\":[\"1.2.3.4\"]}")),
                Quirks.of(TalosVersion.of(1, 5, 0)));
        assertEquals("talos.platform=metal console=ttyS0 console=tty0 init_on_alloc=1 slab_nomerge pti=on"
                        + " consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on" + IMA
                        + " talos.environment=INSTALLER_META_BASE64=MHhhPXsiZXh0ZXJuYWxJUHMiOlsiMS4yLjMuNCJdfQ==",
                cmdline("metal", "amd64", "1.5.0", OutputKind.CMDLINE).withEncodedMeta(meta).render());
    }

    @Test
    void metaStaysOffDiskImageCmdlinesAndUserArgsComeAfterIt() {
        CmdlineBuilder b = cmdline("metal", "amd64", "1.14.0", OutputKind.IMAGE).withEncodedMeta("QUJD");
        assertFalse(b.render().contains("talos.environment"));
        assertEquals(cmdline("metal", "amd64", "1.14.0", OutputKind.ISO).render()
                        + " talos.environment=INSTALLER_META_BASE64=QUJD x=1",
                cmdline("metal", "amd64", "1.14.0", OutputKind.ISO).withEncodedMeta("QUJD")
                        .withExtraKernelArgs(List.of("x=1")).render());
    }

    @Test
    void isoGetsHaltIfInstalledFrom18() {
        assertEquals("talos.platform=metal console=tty0 talos.halt_if_installed=1 slab_nomerge pti=on"
                        + " consoleblank=0 printk.devkmsg=on selinux=1 module.sig_enforce=1 proc_mem.force_override=never",
                cmdline("metal", "amd64", "1.14.0", OutputKind.ISO).render());
        assertFalse(cmdline("metal", "amd64", "1.7.9", OutputKind.ISO).render().contains("halt_if_installed"));
        assertFalse(cmdline("metal", "amd64", "1.14.0", OutputKind.IMAGE).render().contains("halt_if_installed"));
    }

    @Test
    void overlayArgsReplacePlatformArgsInPlaceAndAddNewOnes() {
        // new overlay keys go to the end of the line as it is then: before the defaults
        assertEquals("talos.platform=metal console=ttyAMA0,115200 console=tty1 sysctl.kernel.kexec_load_disabled=1"
                        + " slab_nomerge pti=on consoleblank=0 printk.devkmsg=on selinux=1 module.sig_enforce=1"
                        + " proc_mem.force_override=never",
                cmdline("metal", "arm64", "1.14.0", OutputKind.IMAGE).withOverlayKernelArgs(List.of(
                        "console=ttyAMA0,115200", "console=tty1", "sysctl.kernel.kexec_load_disabled=1")).render());
        // ... but not the defaults that come after them: those append
        assertTrue(cmdline("metal", "arm64", "1.14.0", OutputKind.IMAGE)
                .withOverlayKernelArgs(List.of("pti=off")).render()
                .startsWith("talos.platform=metal console=ttyAMA0 console=tty0 pti=off pti=on slab_nomerge "));
    }

    @Test
    void forSchematicAppliesTheFactoryMatrix() {
        Schematic.Customization c = new Schematic.Customization("", List.of("nolapic"),
                List.of(new MetaValue(10, "{\"externalIPs\":[\"1.2.3.4\"]}")), List.of(), Bootloader.NONE,
                new Schematic.SecureBoot("", false), BigInteger.ZERO);
        Quirks v19 = Quirks.of(TalosVersion.of(1, 9, 0));
        Quirks v110 = Quirks.of(TalosVersion.of(1, 10, 0));
        String meta = " talos.environment=INSTALLER_META_BASE64=MHhhPXsiZXh0ZXJuYWxJUHMiOlsiMS4yLjMuNCJdfQ==";

        assertTrue(build(OutputKind.CMDLINE, false, v19, c).endsWith(meta + " nolapic"));
        assertTrue(build(OutputKind.ISO, false, v19, c).endsWith(meta + " nolapic"));
        assertTrue(build(OutputKind.IMAGE, false, v19, c).endsWith(IMA + " nolapic"));
        assertTrue(build(OutputKind.UKI, false, v19, c).endsWith(IMA));
        assertTrue(build(OutputKind.UKI, true, v19, c).endsWith(" lockdown=confidentiality nolapic"));
        assertTrue(build(OutputKind.INSTALLER, false, v110, c).endsWith(" selinux=1 nolapic"));
        assertTrue(build(OutputKind.INSTALLER, false, v19, c).endsWith(IMA));
        assertTrue(build(OutputKind.KERNEL, true, v110, c).endsWith(" selinux=1 lockdown=confidentiality"));
        assertTrue(build(OutputKind.INITRAMFS, false, v110, c).endsWith(" selinux=1"));
    }

    private static String build(OutputKind kind, boolean secureBoot, Quirks q, Schematic.Customization c) {
        return CmdlineBuilder.forSchematic(Platform.METAL, Arch.AMD64, q, kind, secureBoot, c, List.of()).render();
    }

    private static CmdlineBuilder cmdline(String platform, String arch, String version, OutputKind kind) {
        return CmdlineBuilder.of(Platform.parse(platform), Arch.parse(arch), Quirks.of(TalosVersion.parse(version)),
                kind);
    }
}
