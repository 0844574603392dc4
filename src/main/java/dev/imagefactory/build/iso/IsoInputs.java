package dev.imagefactory.build.iso;

import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.Arch;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one ISO is made of (talos-imager.md §5).
 *
 * @param version          the Talos version tag with its {@code v} (UKI file name, volume label)
 * @param quirks           that version's quirks (reset entry, volume ID)
 * @param arch             the target architecture (the ESP's removable-media loader name)
 * @param kernel           {@code boot/vmlinuz} for GRUB
 * @param initramfs        {@code boot/initramfs.xz} for GRUB
 * @param cmdline          the ISO's kernel command line, for GRUB's menu entries
 * @param systemdBoot      systemd-boot for the ESP (already signed for SecureBoot); null for a GRUB-only ISO
 * @param uki              the UKI for {@code EFI/Linux/} (with the ISO's {@code reset} profile; signed for
 *                         SecureBoot); null for a GRUB-only ISO
 * @param secureBootEnroll {@code secure-boot-enroll} of loader.conf: {@code off} unless SecureBoot
 * @param extraEspFiles    further files for the ESP (and the ISO tree), by path below the ESP root: SecureBoot's
 *                         {@code EFI/keys/uki-signing-cert.der} and {@code loader/keys/auto/{PK,KEK,db}.auth}.
 *                         Paths must lie below {@code EFI/} or {@code loader/} and not replace a file of the layout.
 */
public record IsoInputs(String version, Quirks quirks, Arch arch, Path kernel, Path initramfs, String cmdline,
        Path systemdBoot, Path uki, String secureBootEnroll, Map<String, Path> extraEspFiles) {

    public IsoInputs {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(quirks, "quirks");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initramfs, "initramfs");
        Objects.requireNonNull(cmdline, "cmdline");
        Objects.requireNonNull(secureBootEnroll, "secureBootEnroll");
        if ((systemdBoot == null) != (uki == null)) {
            throw new IllegalArgumentException("systemd-boot and the UKI go together");
        }
        LoaderConf.render(secureBootEnroll); // checks the mode
        extraEspFiles = new TreeMap<>(extraEspFiles);
        extraEspFiles.forEach((name, file) -> checkEspPath(name, Objects.requireNonNull(file, name)));
        extraEspFiles = java.util.Collections.unmodifiableMap(extraEspFiles);
    }

    /** A GRUB-only ISO: kernel, initramfs and cmdline. */
    public static IsoInputs grub(String version, Quirks quirks, Arch arch, Path kernel, Path initramfs, String cmdline) {
        return new IsoInputs(version, quirks, arch, kernel, initramfs, cmdline, null, null, LoaderConf.ENROLL_OFF,
                Map.of());
    }

    /** Adds systemd-boot and the UKI (UEFI-only and hybrid ISOs), with enrollment {@code off}. */
    public IsoInputs withUefi(Path systemdBootEfi, Path ukiFile) {
        return new IsoInputs(version, quirks, arch, kernel, initramfs, cmdline,
                Objects.requireNonNull(systemdBootEfi, "systemdBoot"), Objects.requireNonNull(ukiFile, "uki"),
                secureBootEnroll, extraEspFiles);
    }

    /** SecureBoot: the enrollment mode of loader.conf and the key files to put on the ESP. */
    public IsoInputs withSecureBootEnrollment(String mode, Map<String, Path> espFiles) {
        return new IsoInputs(version, quirks, arch, kernel, initramfs, cmdline, systemdBoot, uki, mode, espFiles);
    }

    /** {@code EFI/BOOT/BOOTX64.EFI}, or {@code BOOTAA64.EFI} on arm64. */
    public String removableLoaderPath() {
        return "EFI/BOOT/" + (arch == Arch.ARM64 ? "BOOTAA64.EFI" : "BOOTX64.EFI");
    }

    /** {@code EFI/Linux/Talos-<version>.efi}. */
    public String ukiPath() {
        return "EFI/Linux/Talos-" + version + ".efi";
    }

    private static void checkEspPath(String name, Path file) {
        boolean relative = !name.isEmpty() && !name.startsWith("/") && !name.contains("\\")
                && java.util.Arrays.stream(name.split("/", -1)).noneMatch(p -> p.isEmpty() || p.equals(".") || p.equals(".."));
        if (!relative || !(name.startsWith("EFI/") || name.startsWith("loader/"))) {
            throw new IllegalArgumentException("extra ESP file " + name + " must be a relative path below EFI/ or loader/");
        }
        if (name.startsWith("EFI/BOOT/") || name.startsWith("EFI/Linux/") || name.equals("loader/loader.conf")
                || name.equals("loader/random-seed")) {
            throw new IllegalArgumentException("extra ESP file " + name + " would replace a file of the ISO layout");
        }
    }
}
