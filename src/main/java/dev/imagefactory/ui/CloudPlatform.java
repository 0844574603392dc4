package dev.imagefactory.ui;

import dev.imagefactory.model.Arch;
import dev.imagefactory.model.DiskFormat;
import dev.imagefactory.model.OutputCompression;
import dev.imagefactory.model.Platform;
import dev.imagefactory.model.TalosVersion;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The cloud platforms the wizard offers: the factory's {@link Platform}s, each with a label, its architectures, whether
 * it boots SecureBoot images, from which version it exists, and how its disk image is downloaded (the format of the
 * platform's default profile, {@link Platform#diskDefaults()}, the same table the disk image builder uses; the
 * compression the platform's import tooling takes).
 */
public enum CloudPlatform {
    AKAMAI(Platform.AKAMAI, "Akamai", List.of(Arch.AMD64), false, "1.7.0", OutputCompression.GZ, false),
    ALIBABACLOUD(Platform.ALIBABACLOUD, "Alibaba Cloud", List.of(Arch.AMD64, Arch.ARM64), false, "1.2.0", OutputCompression.XZ, false),
    AWS(Platform.AWS, "Amazon Web Services (AWS)", List.of(Arch.AMD64, Arch.ARM64), false, "1.2.0", OutputCompression.XZ, false),
    AZURE(Platform.AZURE, "Microsoft Azure", List.of(Arch.AMD64, Arch.ARM64), true, "1.2.0", OutputCompression.XZ, false),
    CLOUDSTACK(Platform.CLOUDSTACK, "Apache CloudStack", List.of(Arch.AMD64, Arch.ARM64), false, "1.8.0", OutputCompression.GZ, false),
    DIGITAL_OCEAN(Platform.DIGITAL_OCEAN, "DigitalOcean", List.of(Arch.AMD64), false, "1.2.0", OutputCompression.GZ, false),
    EXOSCALE(Platform.EXOSCALE, "Exoscale", List.of(Arch.AMD64, Arch.ARM64), false, "1.2.0", OutputCompression.NONE, false),
    GCP(Platform.GCP, "Google Cloud (GCP)", List.of(Arch.AMD64, Arch.ARM64), true, "1.2.0", OutputCompression.TAR_GZ, false),
    HCLOUD(Platform.HCLOUD, "Hetzner Cloud", List.of(Arch.AMD64, Arch.ARM64), false, "1.2.0", OutputCompression.XZ, false),
    NOCLOUD(Platform.NOCLOUD, "Nocloud", List.of(Arch.AMD64, Arch.ARM64), true, "1.2.0", OutputCompression.XZ, true),
    OPENNEBULA(Platform.OPENNEBULA, "OpenNebula", List.of(Arch.AMD64, Arch.ARM64), false, "1.2.0", OutputCompression.XZ, true),
    OPENSTACK(Platform.OPENSTACK, "OpenStack", List.of(Arch.AMD64, Arch.ARM64), true, "1.2.0", OutputCompression.XZ, true),
    ORACLE(Platform.ORACLE, "Oracle Cloud", List.of(Arch.AMD64, Arch.ARM64), false, "1.2.0", OutputCompression.XZ, false),
    SCALEWAY(Platform.SCALEWAY, "Scaleway", List.of(Arch.AMD64, Arch.ARM64), false, "1.2.0", OutputCompression.XZ, false),
    UPCLOUD(Platform.UPCLOUD, "UpCloud", List.of(Arch.AMD64, Arch.ARM64), false, "1.2.0", OutputCompression.XZ, false),
    VMWARE(Platform.VMWARE, "VMware", List.of(Arch.AMD64, Arch.ARM64), false, "1.2.0", OutputCompression.NONE, true),
    VULTR(Platform.VULTR, "Vultr", List.of(Arch.AMD64, Arch.ARM64), false, "1.2.0", OutputCompression.XZ, true);

    private final Platform platform;
    private final String label;
    private final List<Arch> archs;
    private final boolean secureBoot;
    private final TalosVersion since;
    private final OutputCompression compression;
    private final boolean iso;

    CloudPlatform(Platform platform, String label, List<Arch> archs, boolean secureBoot, String since,
            OutputCompression compression, boolean iso) {
        this.platform = platform;
        this.label = label;
        this.archs = archs;
        this.secureBoot = secureBoot;
        this.since = TalosVersion.parse(since);
        this.compression = compression;
        this.iso = iso;
    }

    /** The platforms offered for {@code version}, in label order. */
    public static List<CloudPlatform> offeredFor(TalosVersion version) {
        return Arrays.stream(values()).filter(p -> !version.release().isBefore(p.since))
                .sorted(java.util.Comparator.comparing(CloudPlatform::label, String.CASE_INSENSITIVE_ORDER)).toList();
    }

    public static Optional<CloudPlatform> named(String name) {
        return Arrays.stream(values()).filter(p -> p.platform.pathName().equals(name)).findFirst();
    }

    public Platform platform() {
        return platform;
    }

    public String id() {
        return platform.pathName();
    }

    public String label() {
        return label;
    }

    public List<Arch> archs() {
        return archs;
    }

    public boolean secureBoot() {
        return secureBoot;
    }

    /** Whether the platform boots from an ISO too (platforms that take any bootable medium). */
    public boolean iso() {
        return iso;
    }

    /** The disk image's file name suffix, e.g. {@code .raw.xz}; the format is the platform's default profile's. */
    public String diskSuffix() {
        DiskFormat format = platform.diskDefaults().map(Platform.DiskDefaults::format).orElse(DiskFormat.RAW);
        return "." + format.extension() + compression.suffix();
    }
}
