package dev.imagefactory.model;


import dev.imagefactory.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Talos platform (talos-imager.md §3.2): the value of {@code talos.platform=}, its kernel args (§3.3), and the
 * disk defaults of its Talos default profile (§6.1, {@code pkg/imager/profile/default.go}).
 *
 * <p>{@code packet} is Talos' old name of {@code equinixMetal}. It is a constant of its own so the name a client
 * used survives into file names and PXE links (upstream keeps the string too), while {@link #talosName()} and the
 * kernel args are Equinix Metal's.
 */
public enum Platform {
    AKAMAI("akamai"),
    ALIBABACLOUD("alibabacloud"),
    AWS("aws"),
    AZURE("azure"),
    CLOUDSTACK("cloudstack"),
    CONTAINER("container"),
    DIGITAL_OCEAN("digital-ocean"),
    EQUINIX_METAL("equinixMetal"),
    /** Alias of {@link #EQUINIX_METAL}. */
    PACKET("packet"),
    EXOSCALE("exoscale"),
    GCP("gcp"),
    HCLOUD("hcloud"),
    METAL("metal"),
    NOCLOUD("nocloud"),
    OPENNEBULA("opennebula"),
    OPENSTACK("openstack"),
    ORACLE("oracle"),
    SCALEWAY("scaleway"),
    UPCLOUD("upcloud"),
    VMWARE("vmware"),
    VULTR("vultr");

    private static final long MIB = 1024L * 1024;
    /** Talos' MinRAWDiskSize, used for metal-like platforms. */
    static final long MIN_RAW_DISK_SIZE = 1246 * MIB;
    /** Talos' DefaultRAWDiskSize; also the factory's size for platforms without a default profile. */
    static final long DEFAULT_RAW_DISK_SIZE = 8192 * MIB;

    private static final String NVME_TIMEOUT = "nvme_core.io_timeout=4294967295";

    private final String pathName;

    Platform(String pathName) {
        this.pathName = pathName;
    }

    /**
     * Parses a platform name exactly as Talos' {@code platform.NewPlatform} accepts it (case-sensitive). Upstream
     * refuses an unknown name only inside the build (HTTP 500); it is the client's mistake, so we answer 400.
     */
    public static Platform parse(String name) {
        for (Platform p : values()) {
            if (p.pathName.equals(name)) {
                return p;
            }
        }
        throw new InvalidInputException("unknown platform " + quoted(name));
    }

    /** The name as it appears in asset paths and file names ({@code packet} stays {@code packet}). */
    public String pathName() {
        return pathName;
    }

    /** The value of {@code talos.platform=}: Talos' {@code Platform.Name()}. */
    public String talosName() {
        return this == PACKET ? EQUINIX_METAL.pathName : pathName;
    }

    /**
     * The platform's kernel args for an architecture and version (§3.3), in Talos' order. They are applied with
     * {@code KernelCmdline.setAll}, so a key's values stay together.
     */
    public List<String> kernelArgs(Arch arch, Quirks quirks) {
        boolean arm = arch == Arch.ARM64;
        return switch (this) {
            case METAL -> arm ? List.of("console=ttyAMA0", "console=tty0")
                    : quirks.supportsMetalPlatformConsoleTtyS0() ? List.of("console=ttyS0", "console=tty0")
                    : List.of("console=tty0");
            case AWS -> withIf(quirks.nvmeCoreIoTimeoutAwsOnly(),
                    List.of("console=tty1", "console=ttyS0", "net.ifnames=0"), NVME_TIMEOUT);
            case AZURE -> List.of("console=ttyS0,115200n8", "earlyprintk=ttyS0,115200", "rootdelay=300",
                    "net.ifnames=0", "talos.dashboard.disabled=1", "sysctl.kernel.kexec_load_disabled=1");
            case GCP -> List.of("console=ttyS0", "net.ifnames=0", "talos.dashboard.disabled=1",
                    "sysctl.kernel.kexec_load_disabled=1");
            case AKAMAI, DIGITAL_OCEAN -> List.of("console=ttyS0", "console=tty0", "console=tty1", "net.ifnames=0");
            case ALIBABACLOUD, CLOUDSTACK, EXOSCALE, HCLOUD, NOCLOUD, OPENNEBULA, OPENSTACK ->
                    List.of("console=tty1", "console=ttyS0", "net.ifnames=0");
            case ORACLE, SCALEWAY -> List.of("console=tty1", "console=ttyS0", "net.ifnames=0",
                    "talos.dashboard.disabled=1");
            case UPCLOUD, VULTR -> List.of("net.ifnames=0");
            case VMWARE -> arm
                    ? List.of("talos.config=guestinfo", "console=tty0", "console=ttyAMA0", "net.ifnames=0")
                    : List.of("talos.config=guestinfo", "console=tty0", "console=ttyS0", "earlyprintk=ttyS0,115200",
                            "net.ifnames=0");
            case EQUINIX_METAL, PACKET -> arm ? List.of("console=ttyAMA0,115200") : List.of("console=ttyS1,115200n8");
            case CONTAINER -> List.of();
        };
    }

    /**
     * The disk part of the platform's Talos default profile, if it has one. The factory takes its size and its
     * format options for disk images of this platform; the profile's own disk format and compression are ignored
     * (the URL decides).
     */
    public Optional<DiskDefaults> diskDefaults() {
        return Optional.ofNullable(switch (this) {
            case METAL, AKAMAI, HCLOUD, NOCLOUD, OPENNEBULA, OPENSTACK, SCALEWAY ->
                    new DiskDefaults(MIN_RAW_DISK_SIZE, DiskFormat.RAW, "");
            case ALIBABACLOUD -> new DiskDefaults(MIN_RAW_DISK_SIZE, DiskFormat.QCOW2, "cluster_size=8k");
            case AWS, CLOUDSTACK, DIGITAL_OCEAN, GCP, UPCLOUD, VULTR ->
                    new DiskDefaults(DEFAULT_RAW_DISK_SIZE, DiskFormat.RAW, "");
            case AZURE -> new DiskDefaults(DEFAULT_RAW_DISK_SIZE, DiskFormat.VHD, "subformat=fixed,force_size");
            case EXOSCALE -> new DiskDefaults(10240 * MIB, DiskFormat.QCOW2, "cluster_size=8k");
            case ORACLE -> new DiskDefaults(DEFAULT_RAW_DISK_SIZE, DiskFormat.QCOW2, "cluster_size=8k");
            case VMWARE -> new DiskDefaults(DEFAULT_RAW_DISK_SIZE, DiskFormat.OVA, "");
            case CONTAINER, EQUINIX_METAL, PACKET -> null;
        });
    }

    /** Size (bytes, before the builder's bootloader adjustments), format and qemu-img options of a default profile. */
    public record DiskDefaults(long sizeBytes, DiskFormat format, String formatOptions) {
    }

    @Override
    public String toString() {
        return pathName;
    }

    private static List<String> withIf(boolean condition, List<String> args, String extra) {
        if (!condition) {
            return args;
        }
        List<String> out = new ArrayList<>(args);
        out.add(extra);
        return List.copyOf(out);
    }

    private static String quoted(String text) {
        if (text == null) {
            return "(none)";
        }
        String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return "\"" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }
}
