package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.build.uki.PeFile;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * Served ISOs (talos-imager.md §5), one per generator and bootloader choice: the files of the ISO9660 tree and of
 * the appended ESP, and boots in QEMU under OVMF (every layout) and SeaBIOS (the GRUB and hybrid ones) to the
 * stand-in's report, with the ISO cmdline, META and extensions.
 *
 * <p>Debian 12's systemd-boot and systemd-stub (252) predate UKI profiles (systemd 257): the stub takes the last
 * {@code .cmdline} section it finds, which is the {@code reset} profile's, so a stand-in ISO booted through
 * systemd-boot reports the ISO cmdline plus {@code talos.experimental.wipe=system}. A Talos stub boots the
 * {@code main} profile and offers {@code reset} as a second entry; the sections themselves are checked here too.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class IsoAssetsTest {

    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);

    /**
     * Characters GRUB's lexer gives meaning, in a user argument: the kernel must see it unchanged, via GRUB and
     * sd-boot. ({@code \\ ' "} cannot pass GRUB unchanged and are refused: see bootargs.GrubLinuxArgs.)
     */
    static final String CHARS = "iso.chars={a}&b$c|d;e<f>g#h*i";
    static final String GRUB_QUOTED_CHARS = "'" + CHARS + "'";
    static final String SCHEMATIC = BootAssetsTest.SCHEMATIC.replace("    - -pti\n", "    - -pti\n    - '" + CHARS + "'\n");
    static final String META = "talos.environment=INSTALLER_META_BASE64=" + BootAssetsTest.META_B64;
    static final String RESET = " talos.experimental.wipe=system";

    /** The ISO cmdlines, by hand from §3: halt_if_installed from 1.8 right after the platform args. */
    static final Map<String, String> EXPECTED_CMDLINE = Map.of(
            StandinRelease.V1_7, "talos.platform=metal console=ttyS0 console=tty0 init_on_alloc=1 slab_nomerge"
                    + " consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng"
                    + " ima_appraise=fix ima_hash=sha512 " + META + " talos.dashboard.disabled=1 " + CHARS,
            StandinRelease.V1_11, "talos.platform=metal console=tty0 talos.halt_if_installed=1 init_on_alloc=1"
                    + " slab_nomerge consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1 "
                    + META + " talos.dashboard.disabled=1 " + CHARS,
            StandinRelease.V1_12, "talos.platform=metal console=tty0 talos.halt_if_installed=1 init_on_alloc=1"
                    + " slab_nomerge consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on selinux=1"
                    + " module.sig_enforce=1 " + META + " talos.dashboard.disabled=1 " + CHARS);

    enum Layout { GRUB, UEFI, HYBRID }

    /** One served ISO: version, the schematic's bootloader (null = unset), the expected layout, SeaBIOS boot too. */
    record IsoCase(String version, String bootloader, Layout layout, boolean seabios) {
        @Override
        public String toString() {
            return version + " bootloader=" + bootloader + " -> " + layout + (seabios ? " (OVMF + SeaBIOS)" : " (OVMF)");
        }
    }

    static Stream<IsoCase> cases() {
        return Stream.of(
                new IsoCase(StandinRelease.V1_7, null, Layout.GRUB, true),
                new IsoCase(StandinRelease.V1_11, null, Layout.HYBRID, true),
                new IsoCase(StandinRelease.V1_12, "grub", Layout.GRUB, false),
                new IsoCase(StandinRelease.V1_12, "sd-boot", Layout.UEFI, false),
                new IsoCase(StandinRelease.V1_12, "dual-boot", Layout.HYBRID, false));
    }

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path tmp;

    static String schematic(String bootloader) {
        return bootloader == null ? SCHEMATIC
                : SCHEMATIC.replace("customization:\n", "customization:\n  bootloader: " + bootloader + "\n");
    }

    private Path downloadIso(String id, String version, String name) throws Exception {
        byte[] body = given().get("/image/" + id + "/" + version + "/" + name).then().statusCode(200)
                .header("Content-Type", "application/x-iso9660-image").extract().asByteArray();
        return Files.write(tmp.resolve(version + "-" + name), body);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void servedIsoHasTheLayoutAndBoots(IsoCase c) throws Exception {
        String id = BootAssetsTest.createSchematic(schematic(c.bootloader()));
        long started = System.nanoTime();
        Path iso = downloadIso(id, c.version(), "metal-amd64.iso");
        long built = (System.nanoTime() - started) / 1_000_000;
        String cmdline = EXPECTED_CMDLINE.get(c.version());
        IsoImage image = new IsoImage(iso);
        checkTree(image, c, cmdline);

        List<String> timings = new ArrayList<>();
        String viaGrub = "BOOT_IMAGE=/boot/vmlinuz " + grubLoaderCmdline(cmdline);
        String viaSdBoot = cmdline + RESET;                       // see the class comment
        Path vars = Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("vars.fd"));
        Qemu ovmf = configured(Qemu.machine().uefi(Ovmf.CODE, vars).cdrom(iso), "ovmf");
        long booting = System.nanoTime();
        // OVMF and SeaBIOS boot the (read-only) ISO at once: one TCG guest per core
        List<JsonNode> reports = c.seabios() ? Qemu.runTogether(ovmf, configured(Qemu.machine().cdrom(iso), "seabios"))
                : List.of(ovmf.run());
        timings.add((c.seabios() ? "ovmf + seabios " : "ovmf ") + (System.nanoTime() - booting) / 1_000_000 + " ms");
        checkReport(reports.get(0), c.layout() == Layout.GRUB ? viaGrub : viaSdBoot, id);
        if (c.seabios()) {
            checkReport(reports.get(1), viaGrub, id);
        }
        System.out.printf("ISO %s: %d bytes, served (built) in %d ms; boots: %s%n", c, Files.size(iso), built,
                String.join(", ", timings));
    }

    private void checkTree(IsoImage image, IsoCase c, String cmdline) throws Exception {
        String v = c.version();
        String uki = "/EFI/Linux/Talos-" + v + ".efi";
        List<String> uefiFiles = List.of("/EFI/BOOT/BOOTX64.EFI", uki, "/loader/loader.conf", "/loader/random-seed");
        List<String> grubFiles = List.of("/boot/grub/grub.cfg", "/boot/initramfs.xz", "/boot/vmlinuz");
        // grub-mkrescue adds GRUB's modules, fonts and locales below boot/grub/<dir>/, and for GRUB-only ISOs its
        // EFI image and the files Macs look for
        List<String> ours = image.files().stream().filter(f -> !f.matches("/boot/grub/[^/]+/.*")).toList();
        List<String> expected = new ArrayList<>();
        switch (c.layout()) {
            case GRUB -> {
                expected.addAll(List.of("/System/Library/CoreServices/.disk_label",
                        "/System/Library/CoreServices/.disk_label.contentDetails",
                        "/System/Library/CoreServices/SystemVersion.plist", "/System/Library/CoreServices/boot.efi"));
                expected.addAll(grubFiles);
                expected.addAll(List.of("/efi.img", "/mach_kernel"));
            }
            case UEFI -> expected.addAll(uefiFiles);
            case HYBRID -> {
                expected.addAll(uefiFiles);
                expected.addAll(grubFiles);
            }
        }
        assertEquals(expected.stream().sorted().toList(), ours, "files of the " + c.layout() + " ISO");
        if (c.layout() != Layout.UEFI) {
            assertTrue(image.files().contains("/boot/grub/i386-pc/eltorito.img"), "GRUB for BIOS");
            assertEquals(c.layout() == Layout.GRUB, image.files().stream().anyMatch(f -> f.startsWith("/boot/grub/x86_64-efi/")),
                    "GRUB for UEFI only in the GRUB layout");
            String quoted = cmdline.replace(CHARS, GRUB_QUOTED_CHARS);
            String entries = "menuentry \"Talos ISO\" {\n\tset gfxmode=auto\n\tset gfxpayload=text\n"
                    + "\tlinux /boot/vmlinuz " + quoted + "\n\tinitrd /boot/initramfs.xz\n}\n\n"
                    + "menuentry \"Reset Talos installation\" {\n\tset gfxmode=auto\n\tset gfxpayload=text\n"
                    + "\tlinux /boot/vmlinuz " + quoted + RESET + "\n\tinitrd /boot/initramfs.xz\n}\n";
            assertEquals("set default=0\nset timeout=3\n\ninsmod all_video\n\nterminal_input console\n"
                    + "terminal_output console\n\n" + entries,
                    Files.readString(image.extract("/boot/grub/grub.cfg", tmp.resolve("grub.cfg"))));
            assertArrayEquals(Files.readAllBytes(StandinRelease.version(v).resolve("usr/install/amd64/vmlinuz")),
                    Files.readAllBytes(image.extract("/boot/vmlinuz", tmp.resolve("vmlinuz"))));
        }
        String pvd = image.pvdInfo();
        String volumeId = v.equals(StandinRelease.V1_7) ? "ISOIMAGE"
                : "TALOS_V" + v.substring(1).toUpperCase().replaceAll("[.-]", "_");
        assertTrue(pvd.contains("Volume Id    : " + volumeId + "\n"), pvd);
        if (!v.equals(StandinRelease.V1_7)) {
            assertTrue(pvd.contains("Volume Set Id: Talos-" + v + "\n"), pvd);
        }
        assertTrue(pvd.contains("Creation Time: 2019060121345200"), pvd);
        if (c.layout() != Layout.GRUB) {
            checkEsp(image, v, cmdline);
        }
    }

    private void checkEsp(IsoImage image, String v, String cmdline) throws Exception {
        Path esp = image.extractEsp(tmp.resolve("esp.img")).orElseThrow(() -> new AssertionError("no ESP partition"));
        String listing = tools.run(Command.of("mdir", "-i", esp.toString(), "-/", "-b", "::")).stdout();
        assertEquals(List.of("::/EFI/", "::/EFI/BOOT/", "::/EFI/BOOT/BOOTX64.EFI", "::/EFI/Linux/",
                "::/EFI/Linux/Talos-" + v + ".efi", "::/loader/", "::/loader/loader.conf", "::/loader/random-seed"),
                listing.lines().sorted().toList());
        String info = tools.run(Command.of("minfo", "-i", esp.toString(), "::")).stdout();
        assertTrue(info.contains("disk type=\"FAT32   \"") && info.contains("disk label=\"EFI        \"")
                && info.contains("serial number: 1234ABCD"), "mkfs.vfat --invariant: " + info);
        assertEquals("# systemd-boot configuration\n\ntimeout 10\n\nsecure-boot-enroll off\n",
                tools.run(Command.of("mtype", "-i", esp.toString(), "::/loader/loader.conf")).stdout());
        Path seed = tmp.resolve("random-seed");
        tools.run(Command.of("mcopy", "-n", "-i", esp.toString(), "::/loader/random-seed", seed.toString()));
        assertArrayEquals(new byte[32], Files.readAllBytes(seed));
        String attributes = tools.run(Command.of("mattrib", "-i", esp.toString(), "::/loader/random-seed")).stdout();
        assertTrue(attributes.matches("(?s).*\\bR\\b.*random-seed.*"), "read-only: " + attributes);
        Path uki = tmp.resolve("uki.efi");
        tools.run(Command.of("mcopy", "-n", "-i", esp.toString(), "::/EFI/Linux/Talos-" + v + ".efi", uki.toString()));
        assertArrayEquals(Files.readAllBytes(uki),
                Files.readAllBytes(image.extract("/EFI/Linux/Talos-" + v + ".efi", tmp.resolve("uki-iso9660.efi"))),
                "the UKI is the same in the ISO9660 tree and on the ESP");
        Path sdBoot = tmp.resolve("bootx64.efi");
        tools.run(Command.of("mcopy", "-n", "-i", esp.toString(), "::/EFI/BOOT/BOOTX64.EFI", sdBoot.toString()));
        assertArrayEquals(Files.readAllBytes(StandinRelease.version(v).resolve("usr/install/amd64/systemd-boot.efi")),
                Files.readAllBytes(sdBoot), "systemd-boot, unsigned");

        PeFile pe = PeFile.read(uki);
        List<String> appended = pe.sections().stream().map(PeFile.SectionHeader::name)
                .dropWhile(n -> !n.equals(".osrel")).toList();
        assertEquals(List.of(".osrel", ".cmdline", ".uname", ".linux", ".initrd", ".profile", ".profile", ".cmdline"),
                appended);
        List<String> texts = new ArrayList<>();
        for (PeFile.SectionHeader s : pe.sections()) {
            if (s.name().equals(".cmdline") || s.name().equals(".profile")) {
                texts.add(new String(pe.data(s).readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertEquals(List.of(cmdline, "ID=main", "ID=reset\nTITLE=Reset system disk", cmdline + RESET), texts);
    }

    /**
     * What GRUB's {@code linux} command hands the kernel: {@code BOOT_IMAGE=} first, then the arguments as GRUB
     * parsed them from grub.cfg (our quoting undone: {@code {}&$|;<>} arrive as written) and re-escaped by GRUB
     * itself, which puts a backslash before {@code \}, {@code '} and {@code "} (grub-core/lib/cmdline.c). Talos
     * booted by GRUB sees the same.
     */
    static String grubLoaderCmdline(String cmdline) {
        return cmdline.replaceAll("([\\\\'\"])", "\\\\$1");
    }

    private Qemu configured(Qemu machine, String firmware) {
        return machine.timeout(BOOT_TIMEOUT).serialLog(tmp.resolve(firmware + "-serial.log"));
    }

    private static void checkReport(JsonNode report, String cmdline, String id) {
        assertEquals(cmdline, report.get("cmdline").asText());
        assertEquals(List.of("intel-ucode", "dummy-module", "usr-local-tools", "schematic", "modules.dep"),
                report.get("extensions").findValuesAsText("name"));
        assertEquals(id, report.get("extensions").get(3).get("version").asText());
        assertTrue(report.get("mounted").asBoolean(), report.toString());
        assertEquals("dummy", report.get("modules").get(0).asText(), report.toString());
        assertEquals("0xa={\"externalIPs\":[\"1.2.3.4\"]}", report.get("meta").asText());
        assertEquals("[]", report.get("errors").toString(), report.toString());
    }

    @Test
    void withoutABootloaderTalos112GetsTheHybridLayoutAndNoneMeansUnset() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        // "none" is the zero value of the field: the canonical schematic omits it, so it is the same schematic
        assertEquals(id, BootAssetsTest.createSchematic(schematic("none")));
        List<String> files = new IsoImage(downloadIso(id, StandinRelease.V1_12, "metal-amd64.iso")).files();
        assertTrue(files.contains("/boot/grub/grub.cfg") && files.contains("/EFI/BOOT/BOOTX64.EFI")
                && files.stream().noneMatch(f -> f.startsWith("/boot/grub/x86_64-efi/")), files.toString());
    }

    @Test
    void isosReuseTheSchematicsInitramfs() throws Exception {
        String v = StandinRelease.V1_11;
        String first = BootAssetsTest.createSchematic(SCHEMATIC.replace("    - -pti\n", "    - -pti\n    - iso.reuse=1\n"));
        given().get("/image/" + first + "/" + v + "/initramfs-amd64.xz").then().statusCode(200);
        double initramfs = BootAssetsTest.builtCount("initramfs");
        double squashfs = BootAssetsTest.builtCount("extension-squashfs");
        double isos = BootAssetsTest.builtCount("iso");
        double ukis = BootAssetsTest.builtCount("iso-uki");
        downloadIso(first, v, "metal-amd64.iso");
        downloadIso(first, v, "nocloud-amd64.iso");
        assertEquals(initramfs, BootAssetsTest.builtCount("initramfs"), "both ISOs embed the cached initramfs");
        assertEquals(squashfs, BootAssetsTest.builtCount("extension-squashfs"));
        assertEquals(2, BootAssetsTest.builtCount("iso") - isos);
        assertEquals(2, BootAssetsTest.builtCount("iso-uki") - ukis, "one UKI per cmdline");
        downloadIso(first, v, "metal-amd64.iso");
        assertEquals(2, BootAssetsTest.builtCount("iso") - isos, "served from the cache");

        // A schematic that differs only in extraKernelArgs has another ID, and the initramfs carries the ID in its
        // schematic extension: that one squashfs and the initramfs are new, the official extensions' are reused.
        String second = BootAssetsTest.createSchematic(SCHEMATIC.replace("    - -pti\n", "    - -pti\n    - iso.reuse=2\n"));
        downloadIso(second, v, "metal-amd64.iso");
        assertEquals(1, BootAssetsTest.builtCount("extension-squashfs") - squashfs, "only the schematic extension");
        assertEquals(1, BootAssetsTest.builtCount("initramfs") - initramfs);
    }
}
