package dev.imagefactory.build.disk;

import dev.imagefactory.model.Arch;
import dev.imagefactory.model.Quirks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The files and texts that go into a disk image (talos-imager.md §6.3), already built: what the layout needs is
 * present (kernel + initramfs for GRUB layouts, systemd-boot + UKI for the UKI layouts).
 *
 * @param versionTag    the version as the client wrote it, {@code v}-prefixed (UKI file name, GRUB menu)
 * @param cmdline       the image's kernel command line (in grub.cfg; the UKI carries its own copy)
 * @param enroll        systemd-boot's {@code secure-boot-enroll} mode; empty when the image is not SecureBoot
 * @param extraEspFiles more files for the ESP by their path there (the SecureBoot {@code .auth} files)
 * @param meta          META values by key, written to the META partition as a Talos ADV
 * @param entriesOffset sectors the GPT's primary entries move by, reserved for the board (overlay get-options)
 * @param overlay       the board overlay's install step, for the GRUB and dual-boot layouts
 */
public record DiskContents(DiskLayout layout, Arch arch, Quirks quirks, String versionTag, String cmdline,
        Optional<Path> kernel, Optional<Path> initramfs, Optional<Path> systemdBoot, Optional<Path> uki,
        Optional<String> enroll, Map<String, Path> extraEspFiles, SortedMap<Integer, byte[]> meta,
        long entriesOffset, Optional<OverlayInstall> overlay) {

    /**
     * An overlay installer's {@code install} (talos-imager.md §1.8): it may write into the disk image (in the sectors
     * its offset reserved) and leaves the board's firmware under {@code <mountPrefix>/boot/EFI}, which becomes the
     * root of the EFI partition.
     */
    @FunctionalInterface
    public interface OverlayInstall {
        /** Runs the installer; returns the directory whose contents go to the ESP's root. */
        Path install(Path disk, Path mountPrefix) throws IOException;
    }

    public DiskContents {
        Objects.requireNonNull(layout, "layout");
        extraEspFiles = Map.copyOf(extraEspFiles);
        meta = new TreeMap<>(meta);
        Objects.requireNonNull(overlay, "overlay");
        if (layout.usesGrub() && (kernel.isEmpty() || initramfs.isEmpty())) {
            throw new IllegalArgumentException(layout + " needs the kernel and the initramfs");
        }
        if (layout.usesUki() && (systemdBoot.isEmpty() || uki.isEmpty())) {
            throw new IllegalArgumentException(layout + " needs systemd-boot and a UKI");
        }
    }

    /** The removable-media loader path firmware looks for: {@code EFI/boot/BOOTX64.efi} or {@code BOOTAA64.efi}. */
    public String removableLoaderPath() {
        return "EFI/boot/" + (arch == Arch.ARM64 ? "BOOTAA64.efi" : "BOOTX64.efi");
    }

    /** Where systemd-boot finds the UKI (Type #2 entry): {@code EFI/Linux/Talos-<version>.efi}. */
    public String ukiPath() {
        return "EFI/Linux/Talos-" + versionTag + ".efi";
    }

    /**
     * {@code loader/loader.conf} (§6.3): a comment, a blank line, {@code timeout 10}; SecureBoot images whose
     * enrollment is not {@code off} add a blank line and {@code secure-boot-enroll <mode>}.
     */
    public String loaderConf() {
        String conf = "# systemd-boot configuration\n\ntimeout 10\n";
        if (enroll.isPresent() && !enroll.get().equals("off")) {
            conf += "\nsecure-boot-enroll " + enroll.get() + "\n";
        }
        return conf;
    }
}
